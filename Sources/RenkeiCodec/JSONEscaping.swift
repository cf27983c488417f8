/// RFC 8259 string escaping and number checks for the encoders.
enum JSONEscaping {
    /// Writes `p[0..<n]` escaped for a JSON string (without the quotes) at `out`; returns the end. `out` must have
    /// room for `6 * n` bytes.
    @inline(__always)
    static func writeEscaped(
        _ p: UnsafePointer<UInt8>, _ n: Int, to out: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        var o = out
        var i = 0
        while i < n {
            let b = p[i]
            i &+= 1
            if b >= 0x20 && b != 0x22 && b != 0x5C {
                o.pointee = b
                o += 1
                continue
            }
            o.pointee = 0x5C
            switch b {
            case 0x22, 0x5C: o[1] = b
            case 0x08: o[1] = 0x62
            case 0x0C: o[1] = 0x66
            case 0x0A: o[1] = 0x6E
            case 0x0D: o[1] = 0x72
            case 0x09: o[1] = 0x74
            default:
                o[1] = 0x75
                o[2] = 0x30
                o[3] = 0x30
                o[4] = hexDigit(b >> 4)
                o[5] = hexDigit(b & 0xF)
                o += 6
                continue
            }
            o += 2
        }
        return o
    }

    /// `bytes` escaped, for building keys and headers once (not for hot paths).
    static func escaped(_ bytes: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: bytes.count * 6)
        let count = bytes.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                guard let from = source.baseAddress else { return 0 }
                return writeEscaped(from, source.count, to: target.baseAddress!) - target.baseAddress!
            }
        }
        return Array(result[..<count])
    }

    @inline(__always)
    static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x61 + v - 10 }

    /// Whether the bytes are a JSON number (RFC 8259 §6), so they can be written unquoted.
    static func isNumber(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        if i < n && p[i] == 0x2D { i += 1 }
        guard i < n else { return false }
        if p[i] == 0x30 {
            i += 1
        } else {
            guard p[i] &- 0x31 < 9 else { return false }
            while i < n && p[i] &- 0x30 < 10 { i += 1 }
        }
        if i < n && p[i] == 0x2E {
            i += 1
            let start = i
            while i < n && p[i] &- 0x30 < 10 { i += 1 }
            guard i > start else { return false }
        }
        if i < n && (p[i] == 0x65 || p[i] == 0x45) {
            i += 1
            if i < n && (p[i] == 0x2B || p[i] == 0x2D) { i += 1 }
            let start = i
            while i < n && p[i] &- 0x30 < 10 { i += 1 }
            guard i > start else { return false }
        }
        return i == n
    }

    static func isBoolean(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        (n == 4 && p[0] == 0x74 && p[1] == 0x72 && p[2] == 0x75 && p[3] == 0x65)
            || (n == 5 && p[0] == 0x66 && p[1] == 0x61 && p[2] == 0x6C && p[3] == 0x73 && p[4] == 0x65)
    }
}
