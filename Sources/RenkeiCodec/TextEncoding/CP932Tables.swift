import RenkeiContracts

extension TextEncoding {
    /// The mapping tables of a legacy encoding; `nil` for UTF-8.
    var tables: CP932Tables? {
        switch self {
        case .utf8: nil
        case .cp932: CP932Tables.cp932
        case .shiftJIS: CP932Tables.shiftJIS
        }
    }
}

/// The mapping between CP932 (or Shift_JIS) codes and Unicode, decoded once from the generated hex in
/// `CP932Tables+Data.swift` (see `scripts/generate-cp932-tables.py`).
///
/// Single bytes are ASCII and half-width katakana (0xA1–0xDF → U+FF61–U+FF9F); every other single byte is
/// undecodable. A double-byte code has a lead byte 0x81–0x9F or 0xE0–0xFC and a trail byte 0x40–0x7E or 0x80–0xFC;
/// every character it decodes to is in the Basic Multilingual Plane.
final class CP932Tables: Sendable {
    /// UTF-16 unit per double-byte code (``index(lead:trail:)``), 0 when the code decodes to nothing.
    let decoding: [UInt16]
    /// The code (lead << 8 | trail, or the single byte) per BMP scalar, 0 when the encoding cannot hold it.
    let encoding: [UInt16]

    static let cp932 = CP932Tables(shiftJIS: false)
    static let shiftJIS = CP932Tables(shiftJIS: true)

    /// Leads 0x81–0x9F then 0xE0–0xFC.
    static let leadCount = 60
    /// Trails 0x40–0x7E then 0x80–0xFC.
    static let trailCount = 188

    private init(shiftJIS: Bool) {
        var decoding = Self.units(Self.doubleByteHex)
        precondition(decoding.count == Self.leadCount * Self.trailCount, "generated CP932 table is incomplete")
        if shiftJIS {
            let missing = Self.units(Self.shiftJISMissingHex)
            for pair in stride(from: 0, to: missing.count, by: 2) {
                for index in Int(missing[pair])...Int(missing[pair + 1]) { decoding[index] = 0 }
            }
            let overrides = Self.units(Self.shiftJISOverridesHex)
            for pair in stride(from: 0, to: overrides.count, by: 2) {
                decoding[Int(overrides[pair])] = overrides[pair + 1]
            }
        }
        var encoding = [UInt16](repeating: 0, count: 0x10000)
        for byte in 0x01..<0x80 { encoding[byte] = UInt16(byte) }
        for byte in 0xA1...0xDF { encoding[0xFF61 + byte - 0xA1] = UInt16(byte) }
        // The first code decoding to a character encodes it: NEC and IBM duplicates decode, but encode to the first.
        for index in decoding.indices.reversed() where decoding[index] != 0 {
            encoding[Int(decoding[index])] = Self.code(ofIndex: index)
        }
        self.decoding = decoding
        self.encoding = encoding
    }

    /// The table index of a lead and trail byte, or `nil` when either is outside its range.
    @inline(__always)
    static func index(lead: UInt8, trail: UInt8) -> Int? {
        let row: Int
        if lead >= 0x81 && lead <= 0x9F {
            row = Int(lead) - 0x81
        } else if lead >= 0xE0 && lead <= 0xFC {
            row = Int(lead) - 0xE0 + 31
        } else {
            return nil
        }
        let column: Int
        if trail >= 0x40 && trail <= 0x7E {
            column = Int(trail) - 0x40
        } else if trail >= 0x80 && trail <= 0xFC {
            column = Int(trail) - 0x80 + 63
        } else {
            return nil
        }
        return row * trailCount + column
    }

    /// Whether `byte` starts a double-byte code.
    @inline(__always)
    static func isLead(_ byte: UInt8) -> Bool { (byte >= 0x81 && byte <= 0x9F) || (byte >= 0xE0 && byte <= 0xFC) }

    /// Whether `byte` may end a double-byte code. None of `,` `"` CR LF is one, so CSV structure survives a
    /// broken code.
    @inline(__always)
    static func isTrail(_ byte: UInt8) -> Bool { byte >= 0x40 && byte <= 0xFC && byte != 0x7F }

    static func code(ofIndex index: Int) -> UInt16 {
        let row = index / trailCount
        let column = index % trailCount
        let lead = row < 31 ? 0x81 + row : 0xE0 + row - 31
        let trail = column < 63 ? 0x40 + column : 0x80 + column - 63
        return UInt16(lead << 8 | trail)
    }

    private static func units(_ hex: String) -> [UInt16] {
        var units: [UInt16] = []
        units.reserveCapacity(hex.utf8.count / 4)
        var value: UInt16 = 0
        var digits = 0
        for byte in hex.utf8 {
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            default: continue  // line breaks and indentation of the literal
            }
            value = value << 4 | UInt16(digit)
            digits += 1
            if digits == 4 {
                units.append(value)
                value = 0
                digits = 0
            }
        }
        return units
    }
}
