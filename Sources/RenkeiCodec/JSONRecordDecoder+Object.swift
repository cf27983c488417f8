/// The JSON object parser: one object's keys matched to items, values delimited in place (or unescaped into the
/// batch's scratch bytes), type mismatches reported. Validation of values happens on commit.
extension JSONRecordDecoder {
    /// Parses the object at `p`; `false` when the bytes are not a well-formed object (the caller reports it).
    mutating func parseObject(_ c: JSONParseContext, _ p: inout Int, end: Int, number: Int) -> Bool {
        let base = c.base
        let slots = c.slots
        guard p < end, base[p] == 0x7B else { return false }
        p += 1
        skipWhitespace(c, &p, end: end)
        guard p < end else { return false }
        if base[p] == 0x7D {
            p += 1
            return true
        }
        var expected = 0
        while true {
            guard p < end, base[p] == 0x22 else { return false }
            p += 1
            var item = -1
            // Producers write keys in layout order, leaving out absent items: try the next few items' keys first,
            // comparing raw bytes.
            if c.keysArePlain {
                var candidate = expected
                let last = min(expected + 8, c.itemCount)
                while candidate < last {
                    let rule = c.rules + candidate
                    let count = Int(rule.pointee.keyCount)
                    let keyStart = c.keyBytes + Int(rule.pointee.keyStart)
                    if p + count < end && base[p + count] == 0x22 && base[p] == keyStart[0]
                        && ByteScanning.shortEqual(base + p, available: end - p, keyStart, count)
                    {
                        item = candidate
                        p += count + 1
                        break
                    }
                    candidate += 1
                }
            }
            if item < 0 {
                let keyStart = p
                p = ByteScanning.findJSONStringSpecial(base, from: p, end: end)
                guard p < end else { return false }
                if base[p] == 0x22 {
                    item = matchKey(c, start: keyStart, count: p - keyStart)
                    p += 1
                } else {
                    p = keyStart
                    guard let decoded = decodeKey(c, &p, end: end) else { return false }
                    item = decoded
                }
            }
            if p < end && base[p] == 0x3A {
                p += 1
            } else {
                skipWhitespace(c, &p, end: end)
                guard p < end, base[p] == 0x3A else { return false }
                p += 1
            }
            if p < end && (base[p] == 0x20 || base[p] == 0x09 || base[p] == 0x0D || base[p] == 0x0A) {
                skipWhitespace(c, &p, end: end)
            }
            guard p < end else { return false }
            if item < 0 {
                pending.append(RecordError(record: number, line: line, reason: .unknownItem))
                guard skipValue(c, &p, end: end) else { return false }
            } else if slots[item].isSeen {
                pending.append(RecordError(record: number, line: line, item: item, reason: .duplicateItem))
                slots[item].bits |= FieldSlot.reportedFlag
                guard skipValue(c, &p, end: end) else { return false }
            } else {
                guard parseValue(c, &p, end: end, item: item, number: number) else { return false }
                expected = item + 1
            }
            guard p < end else { return false }
            var b = base[p]
            if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A {
                skipWhitespace(c, &p, end: end)
                guard p < end else { return false }
                b = base[p]
            }
            if b == 0x2C {
                p += 1
                if p < end && base[p] != 0x22 { skipWhitespace(c, &p, end: end) }
                continue
            }
            guard b == 0x7D else { return false }
            p += 1
            return true
        }
    }

    /// The item whose key is `base[start..<start+count]`, by hash lookup; -1 when no item has that key.
    func matchKey(_ c: JSONParseContext, start: Int, count: Int) -> Int {
        schema.itemIndex(forKey: UnsafeRawBufferPointer(start: c.base + start, count: count)) ?? -1
    }

    /// A key with escapes: unescaped into `keyScratch`, then looked up. `nil` when malformed.
    mutating func decodeKey(_ c: JSONParseContext, _ p: inout Int, end: Int) -> Int? {
        let scratchStart = batch.scratch.count
        guard unescapeString(c, &p, end: end) else { return nil }
        keyScratch.removeAll(keepingCapacity: true)
        keyScratch.append(contentsOf: batch.scratch[scratchStart...])
        batch.scratch.removeSubrange(scratchStart...)
        return keyScratch.withUnsafeBytes { schema.itemIndex(forKey: $0) } ?? -1
    }

    /// Parses the value at `p` into `slots[item]`; `false` when malformed.
    @inline(__always)
    mutating func parseValue(_ c: JSONParseContext, _ p: inout Int, end: Int, item: Int, number: Int) -> Bool {
        let base = c.base
        let slots = c.slots
        let b = base[p]
        let kind = c.rules[item].kind
        if b == 0x22 {
            p += 1
            let start = p
            p = ByteScanning.findJSONStringSpecial(base, from: p, end: end)
            guard p < end else { return false }
            if base[p] == 0x22 {
                slots[item] = FieldSlot(start: start, count: p - start, inScratch: false)
                p += 1
                return true
            }
            if base[p] < 0x20 { return false }
            p = start
            let scratchStart = batch.scratch.count
            guard unescapeString(c, &p, end: end) else { return false }
            slots[item] = FieldSlot(start: scratchStart, count: batch.scratch.count - scratchStart, inScratch: true)
            return true
        }
        if b == 0x6E {  // null
            guard end - p >= 4, base[p + 1] == 0x75, base[p + 2] == 0x6C, base[p + 3] == 0x6C else { return false }
            p += 4
            slots[item].bits |= FieldSlot.seenFlag
            return true
        }
        let start = p
        if b == 0x74 || b == 0x66 {  // true, false
            let isTrue = b == 0x74
            let length = isTrue ? 4 : 5
            guard end - p >= length else { return false }
            let ok =
                isTrue
                ? (base[p + 1] == 0x72 && base[p + 2] == 0x75 && base[p + 3] == 0x65)
                : (base[p + 1] == 0x61 && base[p + 2] == 0x6C && base[p + 3] == 0x73 && base[p + 4] == 0x65)
            guard ok else { return false }
            p += length
            if kind == .boolean {
                slots[item] = FieldSlot(start: start, count: length, inScratch: false)
            } else {
                reportWrongType(item: item, number: number)
            }
            return true
        }
        if b == 0x2D || (b &- 0x30) < 10 {
            p += 1
            while p < end {
                let x = base[p]
                guard (x &- 0x30) < 10 || x == 0x2E || x == 0x65 || x == 0x45 || x == 0x2B || x == 0x2D else { break }
                p += 1
            }
            if kind == .integer || kind == .decimal {
                slots[item] = FieldSlot(start: start, count: p - start, inScratch: false)
            } else {
                reportWrongType(item: item, number: number)
            }
            return true
        }
        if b == 0x7B || b == 0x5B {
            guard skipValue(c, &p, end: end) else { return false }
            reportWrongType(item: item, number: number)
            return true
        }
        return false
    }

    private mutating func reportWrongType(item: Int, number: Int) {
        pending.append(RecordError(record: number, line: line, item: item, reason: .wrongType))
        slotBuffer.pointer[item] = FieldSlot(start: 0, bits: FieldSlot.reportedFlag | FieldSlot.seenFlag)
    }

    /// Unescapes the string whose content starts at `p` (after the opening quote) into the batch's scratch bytes;
    /// leaves `p` after the closing quote. `false` on a bad escape, a raw control character or a missing quote.
    mutating func unescapeString(_ c: JSONParseContext, _ p: inout Int, end: Int) -> Bool {
        let base = c.base
        while p < end {
            let b = base[p]
            if b == 0x22 {
                p += 1
                return true
            }
            if b < 0x20 { return false }
            if b != 0x5C {
                batch.scratch.append(b)
                p += 1
                continue
            }
            guard p + 1 < end else { return false }
            let e = base[p + 1]
            p += 2
            switch e {
            case 0x22, 0x5C, 0x2F: batch.scratch.append(e)
            case 0x62: batch.scratch.append(0x08)
            case 0x66: batch.scratch.append(0x0C)
            case 0x6E: batch.scratch.append(0x0A)
            case 0x72: batch.scratch.append(0x0D)
            case 0x74: batch.scratch.append(0x09)
            case 0x75:
                guard var scalar = hex4(base, p, end) else { return false }
                p += 4
                if scalar & 0xFC00 == 0xD800 {
                    guard end - p >= 6, base[p] == 0x5C, base[p + 1] == 0x75, let low = hex4(base, p + 2, end),
                        low & 0xFC00 == 0xDC00
                    else { return false }
                    p += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar & 0xFC00 == 0xDC00 {
                    return false
                }
                appendUTF8(scalar)
            default: return false
            }
        }
        return false
    }

    private func hex4(_ base: UnsafePointer<UInt8>, _ p: Int, _ end: Int) -> UInt32? {
        guard end - p >= 4 else { return nil }
        var value: UInt32 = 0
        for i in 0..<4 {
            let b = base[p + i]
            let digit: UInt8
            switch b {
            case 0x30...0x39: digit = b - 0x30
            case 0x41...0x46: digit = b - 0x41 + 10
            case 0x61...0x66: digit = b - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            batch.scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            batch.scratch.append(UInt8(0xC0 | scalar >> 6))
            batch.scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            batch.scratch.append(UInt8(0xE0 | scalar >> 12))
            batch.scratch.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            batch.scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            batch.scratch.append(UInt8(0xF0 | scalar >> 18))
            batch.scratch.append(UInt8(0x80 | (scalar >> 12) & 0x3F))
            batch.scratch.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            batch.scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Skips any JSON value (for unknown items and values of the wrong type); `false` when malformed.
    mutating func skipValue(_ c: JSONParseContext, _ p: inout Int, end: Int) -> Bool {
        let base = c.base
        guard p < end else { return false }
        switch base[p] {
        case 0x22:
            p += 1
            let scratchStart = batch.scratch.count
            defer { batch.scratch.removeSubrange(scratchStart...) }
            return unescapeString(c, &p, end: end)
        case 0x7B, 0x5B:
            let isObject = base[p] == 0x7B
            let close: UInt8 = isObject ? 0x7D : 0x5D
            p += 1
            skipWhitespace(c, &p, end: end)
            guard p < end else { return false }
            if base[p] == close {
                p += 1
                return true
            }
            while true {
                if isObject {
                    guard p < end, base[p] == 0x22, skipValue(c, &p, end: end) else { return false }
                    skipWhitespace(c, &p, end: end)
                    guard p < end, base[p] == 0x3A else { return false }
                    p += 1
                    skipWhitespace(c, &p, end: end)
                }
                guard skipValue(c, &p, end: end) else { return false }
                skipWhitespace(c, &p, end: end)
                guard p < end else { return false }
                if base[p] == 0x2C {
                    p += 1
                    skipWhitespace(c, &p, end: end)
                    continue
                }
                guard base[p] == close else { return false }
                p += 1
                return true
            }
        case 0x74:
            guard end - p >= 4, base[p + 1] == 0x72, base[p + 2] == 0x75, base[p + 3] == 0x65 else { return false }
            p += 4
            return true
        case 0x66:
            guard end - p >= 5, base[p + 1] == 0x61, base[p + 2] == 0x6C, base[p + 3] == 0x73, base[p + 4] == 0x65
            else { return false }
            p += 5
            return true
        case 0x6E:
            guard end - p >= 4, base[p + 1] == 0x75, base[p + 2] == 0x6C, base[p + 3] == 0x6C else { return false }
            p += 4
            return true
        case 0x2D, 0x30...0x39:
            p += 1
            while p < end {
                let x = base[p]
                guard (x &- 0x30) < 10 || x == 0x2E || x == 0x65 || x == 0x45 || x == 0x2B || x == 0x2D else { break }
                p += 1
            }
            return true
        default:
            return false
        }
    }
}
