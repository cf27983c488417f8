/// How long a topic keeps records (`retention.ms`): a number of milliseconds, or forever (`-1`).
public struct TopicRetention: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds; `-1` keeps records forever.
    public var milliseconds: Int64

    /// A retention of `milliseconds` (`-1` for forever).
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// Records are never deleted by time.
    public static let forever = TopicRetention(milliseconds: -1)

    /// The legal minimum for the history and dead letters: 7 years, 220,898,400,000 ms (7 mean solar years of
    /// about 365.2422 days; `7y` parses as 7 × 365.25 days, a little more).
    ///
    /// The history records who received whose personal data under which contract — the access records
    /// (アクセス記録) of specific personal information that the My Number Act (番号法, with the Personal Information
    /// Protection Commission's guidelines on it) requires to be kept for 7 years. Dead letters carry the same
    /// linkage context and can be replayed into the history, so they are kept as long.
    public static let legalMinimum = TopicRetention(milliseconds: 220_898_400_000)

    /// `days` days.
    public static func days(_ days: Int64) -> TopicRetention { TopicRetention(milliseconds: days * dayMilliseconds) }

    /// Whether records are kept forever.
    public var isForever: Bool { milliseconds < 0 }

    /// The `retention.ms` value.
    public var configValue: String { String(isForever ? -1 : milliseconds) }

    /// Forever sorts last: it keeps longer than any number of milliseconds.
    public static func < (lhs: TopicRetention, rhs: TopicRetention) -> Bool {
        if lhs.isForever { return false }
        if rhs.isForever { return true }
        return lhs.milliseconds < rhs.milliseconds
    }

    /// `forever`, or the largest whole unit: `7y`, `30d`, `12h`, `90s`, `1500ms`.
    public var description: String {
        if isForever { return "forever" }
        if self == .legalMinimum { return "7 years (the legal minimum)" }
        for (unit, size) in Self.units where milliseconds >= size && milliseconds % size == 0 {
            return "\(milliseconds / size)\(unit)"
        }
        return "\(milliseconds)ms"
    }

    /// Parses `forever`, `-1`, a number of milliseconds, or a number with a unit: `ms`, `s`, `m`, `h`, `d`, or `y`
    /// (365.25 days, so `7y` meets the legal minimum). `nil` for anything else, zero included.
    public init?(parsing text: String) {
        let text = text.filter { !$0.isWhitespace }.lowercased()
        if text == "forever" || text == "-1" {
            self = .forever
            return
        }
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let unit = text.dropFirst(digits.count)
        guard let value = Int64(digits), value > 0 else { return nil }
        let size: Int64
        if unit.isEmpty {
            size = 1
        } else if let match = Self.units.first(where: { $0.0 == unit }) {
            size = match.1
        } else {
            return nil
        }
        let (product, overflow) = value.multipliedReportingOverflow(by: size)
        guard !overflow else { return nil }
        self.milliseconds = product
    }

    private static let dayMilliseconds: Int64 = 86_400_000
    private static let units: [(String, Int64)] = [
        ("y", dayMilliseconds * 1461 / 4), ("d", dayMilliseconds), ("h", 3_600_000), ("m", 60_000), ("s", 1000),
        ("ms", 1),
    ]
}
