/// Calendar dates `YYYY-MM-DD` and RFC 3339 date-times, checked against the real (proleptic Gregorian) calendar.
enum DateValidator {

    @inline(__always)
    static func digit(_ p: UnsafePointer<UInt8>, _ i: Int) -> Int? {
        let d = p[i] &- 0x30
        return d < 10 ? Int(d) : nil
    }

    @inline(__always)
    static func twoDigits(_ p: UnsafePointer<UInt8>, _ i: Int) -> Int? {
        guard let a = digit(p, i), let b = digit(p, i &+ 1) else { return nil }
        return a &* 10 &+ b
    }

    /// Whether the 10 bytes at `p` are a real date.
    @inline(__always)
    static func isDate(_ p: UnsafePointer<UInt8>) -> Bool {
        guard p[4] == 0x2D, p[7] == 0x2D, let y1 = twoDigits(p, 0), let y2 = twoDigits(p, 2),
            let month = twoDigits(p, 5), let day = twoDigits(p, 8)
        else { return false }
        let year = y1 &* 100 &+ y2
        guard year >= 1, month >= 1, month <= 12, day >= 1 else { return false }
        return day <= daysIn(month: month, year: year)
    }

    @inline(__always)
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func validateDate(_ p: UnsafePointer<UInt8>, _ n: Int, allowsUnknown: Bool) -> ErrorReason? {
        guard n == 10 else { return .badDate }
        if isDate(p) { return nil }
        if allowsUnknown && isUnknownMarker(p) { return nil }
        return .badDate
    }

    /// The unknown-date marker (不詳) `0000-00-00`, accepted by items that allow it.
    @inline(__always)
    static func isUnknownMarker(_ p: UnsafePointer<UInt8>) -> Bool {
        p[4] == 0x2D && p[7] == 0x2D && p[0] == 0x30 && p[1] == 0x30 && p[2] == 0x30 && p[3] == 0x30
            && p[5] == 0x30 && p[6] == 0x30 && p[8] == 0x30 && p[9] == 0x30
    }

    /// `YYYY-MM-DDThh:mm:ss`, an optional fraction `.d+`, an optional offset `Z` or `±hh:mm`.
    static func validateDatetime(_ p: UnsafePointer<UInt8>, _ n: Int) -> ErrorReason? {
        guard n >= 19, isDate(p), p[10] == 0x54, p[13] == 0x3A, p[16] == 0x3A,
            let hour = twoDigits(p, 11), let minute = twoDigits(p, 14), let second = twoDigits(p, 17),
            hour <= 23, minute <= 59, second <= 60
        else { return .badDatetime }
        var i = 19
        if i < n && p[i] == 0x2E {
            i &+= 1
            let start = i
            while i < n, digit(p, i) != nil { i &+= 1 }
            if i == start { return .badDatetime }
        }
        if i == n { return nil }
        if p[i] == 0x5A { return i &+ 1 == n ? nil : .badDatetime }
        guard p[i] == 0x2B || p[i] == 0x2D, n &- i == 6, p[i &+ 3] == 0x3A,
            let oh = twoDigits(p, i &+ 1), let om = twoDigits(p, i &+ 4), oh <= 23, om <= 59
        else { return .badDatetime }
        return nil
    }
}
