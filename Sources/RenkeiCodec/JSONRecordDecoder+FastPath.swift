/// The fast path of the JSON Lines decoder: the shape producers actually write — keys in layout order (absent items
/// left out), no whitespace, values without escapes. Anything else makes it give up, and the general parser reads
/// the line again from its start; so the fast path reports nothing and changes nothing but the slots.
extension JSONRecordDecoder {
    /// Parses the object that makes up exactly `base[start..<end]`; `false` when the line needs the general parser.
    @inline(__always)
    func parseObjectFast(_ c: JSONParseContext, start: Int, end: Int) -> Bool {
        let base = c.base
        let slots = c.slots
        let rules = c.rules
        let keys = c.keyBytes
        let itemCount = c.itemCount
        guard c.keysArePlain, end &- start >= 2, base[start] == 0x7B else { return false }
        var p = start &+ 1
        if base[p] == 0x7D { return p &+ 1 == end }
        var expected = 0
        while true {
            guard p < end, base[p] == 0x22 else { return false }
            p &+= 1
            // The key: one of the next few items in layout order, followed by `":`.
            var item = -1
            var candidate = expected
            let last = min(expected &+ 8, itemCount)
            while candidate < last {
                let rule = rules + candidate
                let count = Int(rule.pointee.keyCount)
                let q = p &+ count
                if q &+ 1 < end && base[q] == 0x22 && base[q &+ 1] == 0x3A
                    && ByteScanning.shortEqual(base + p, available: end &- p, keys + Int(rule.pointee.keyStart), count)
                {
                    item = candidate
                    p = q &+ 2
                    break
                }
                candidate &+= 1
            }
            guard item >= 0, p < end else { return false }
            let kind = rules[item].kind
            let b = base[p]
            if b == 0x22 {
                let valueStart = p &+ 1
                // Digits, codes and dates are validated while delimited; other values on commit.
                if kind == .digits || kind == .code || kind == .date,
                    let next = delimitAndValidate(c, item: item, from: valueStart, end: end)
                {
                    p = next
                    expected = item &+ 1
                    guard p < end else { return false }
                    let delimiter = base[p]
                    p &+= 1
                    if delimiter == 0x2C { continue }
                    guard delimiter == 0x7D else { return false }
                    return p == end || (p &+ 1 == end && base[p] == 0x0D)
                }
                p = ByteScanning.findJSONStringSpecial(base, from: valueStart, end: end)
                guard p < end, base[p] == 0x22 else { return false }
                slots[item] = FieldSlot(start: valueStart, count: p &- valueStart, inScratch: false)
                p &+= 1
            } else if (b == 0x2D || b &- 0x30 < 10) && (kind == .integer || kind == .decimal) {
                let valueStart = p
                p &+= 1
                while p < end {
                    let x = base[p]
                    guard x &- 0x30 < 10 || x == 0x2E || x == 0x65 || x == 0x45 || x == 0x2B || x == 0x2D else { break }
                    p &+= 1
                }
                slots[item] = FieldSlot(start: valueStart, count: p &- valueStart, inScratch: false)
            } else if b == 0x6E && end &- p >= 4 && base[p &+ 1] == 0x75 && base[p &+ 2] == 0x6C && base[p &+ 3] == 0x6C
            {
                slots[item].bits |= FieldSlot.seenFlag
                p &+= 4
            } else if kind == .boolean && b == 0x74 && end &- p >= 4 && base[p &+ 1] == 0x72 && base[p &+ 2] == 0x75
                && base[p &+ 3] == 0x65
            {
                slots[item] = FieldSlot(start: p, count: 4, inScratch: false)
                p &+= 4
            } else if kind == .boolean && b == 0x66 && end &- p >= 5 && base[p &+ 1] == 0x61 && base[p &+ 2] == 0x6C
                && base[p &+ 3] == 0x73 && base[p &+ 4] == 0x65
            {
                slots[item] = FieldSlot(start: p, count: 5, inScratch: false)
                p &+= 5
            } else {
                return false
            }
            expected = item &+ 1
            guard p < end else { return false }
            let delimiter = base[p]
            p &+= 1
            if delimiter == 0x2C { continue }
            guard delimiter == 0x7D else { return false }
            return p == end || (p &+ 1 == end && base[p] == 0x0D)
        }
    }

    /// For a `digits`, `code` or `date` item whose string value at `start` is plain and valid: stores the slot as
    /// validated and returns the position after the closing quote. `nil` leaves the value to the general handling
    /// (scanned as a string and validated on commit, which reports the problem if there is one).
    @inline(__always)
    func delimitAndValidate(_ c: JSONParseContext, item: Int, from start: Int, end: Int) -> Int? {
        let base = c.base
        let rule = c.rules + item
        switch rule.pointee.kind {
        case .digits:
            var q = start
            while true {
                if q &+ 8 <= end {
                    let stops = ByteScanning.nonDigitBytes(ByteScanning.load(base + q))
                    if stops == 0 {
                        q &+= 8
                        continue
                    }
                    q &+= stops.trailingZeroBitCount >> 3
                } else {
                    while q < end && base[q] &- 0x30 < 10 { q &+= 1 }
                }
                break
            }
            let n = q &- start
            guard q < end, base[q] == 0x22, n > 0, n <= rule.pointee.maxLength else { return nil }
            c.slots[item] = FieldSlot(
                start: UInt32(truncatingIfNeeded: start),
                bits: UInt32(truncatingIfNeeded: n) | FieldSlot.seenFlag | FieldSlot.validatedFlag)
            return q &+ 1
        case .code:
            // A code of up to 7 bytes and its closing quote fit in one word.
            guard !rule.pointee.hasLongCodes, start &+ 8 <= end else { return nil }
            let x = ByteScanning.load(base + start)
            let quotes = ByteScanning.zeroBytes(x ^ 0x2222_2222_2222_2222)
            guard quotes != 0 else { return nil }
            let length = quotes.trailingZeroBitCount >> 3
            guard length > 0 else { return nil }
            let mask: UInt64 = (1 << UInt64(length &* 8)) &- 1
            // Codes hold no control characters or backslashes; a value with one goes the general way.
            guard (ByteScanning.bytesBelow(x, 0x20) | ByteScanning.zeroBytes(x ^ 0x5C5C_5C5C_5C5C_5C5C)) & mask == 0
            else { return nil }
            let word = x & mask
            var index = Int(rule.pointee.codeStart)
            let last = index &+ Int(rule.pointee.codeCount)
            while index < last {
                if c.codeWords[index] == word {
                    c.slots[item] = FieldSlot(
                        start: UInt32(truncatingIfNeeded: start),
                        bits: UInt32(truncatingIfNeeded: length) | FieldSlot.seenFlag | FieldSlot.validatedFlag)
                    return start &+ length &+ 1
                }
                index &+= 1
            }
            return nil
        case .date:
            guard end &- start > 10, base[start &+ 10] == 0x22, DateValidator.isDate(base + start) else { return nil }
            c.slots[item] = FieldSlot(
                start: UInt32(truncatingIfNeeded: start), bits: 10 | FieldSlot.seenFlag | FieldSlot.validatedFlag)
            return start &+ 11
        default:
            return nil
        }
    }
}
