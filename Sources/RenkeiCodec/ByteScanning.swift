/// Word-at-a-time (SWAR) byte searches for the decoders' and encoders' inner loops.
enum ByteScanning {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// High bit set in each byte of `x` that is zero (exact for the lowest such byte).
    @inline(__always)
    static func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }

    /// High bit set in each byte of `x` that is below `n` (n ≤ 128; exact for the lowest such byte).
    @inline(__always)
    static func bytesBelow(_ x: UInt64, _ n: UInt8) -> UInt64 { (x &- ones &* UInt64(n)) & ~x & highs }

    @inline(__always)
    static func load(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// The first position in `p[from..<end]` holding `"`, `\` or a byte below 0x20 (a JSON string's end, an escape
    /// or an error); `end` when none.
    @inline(__always)
    static func findJSONStringSpecial(_ p: UnsafePointer<UInt8>, from: Int, end: Int) -> Int {
        var i = from
        while i &+ 8 <= end {
            let x = load(p + i)
            let hits = zeroBytes(x ^ 0x2222_2222_2222_2222) | zeroBytes(x ^ 0x5C5C_5C5C_5C5C_5C5C) | bytesBelow(x, 0x20)
            if hits != 0 { return i &+ hits.trailingZeroBitCount >> 3 }
            i &+= 8
        }
        while i < end {
            let b = p[i]
            if b == 0x22 || b == 0x5C || b < 0x20 { return i }
            i &+= 1
        }
        return end
    }

    /// The first position in `p[from..<end]` holding `,`, `"`, CR or LF; `end` when none.
    @inline(__always)
    static func findCSVSpecial(_ p: UnsafePointer<UInt8>, from: Int, end: Int) -> Int {
        var i = from
        while i &+ 8 <= end {
            // Every special byte is below 0x2D; most data bytes (digits, '-', letters, UTF-8) are not.
            if bytesBelow(load(p + i), 0x2D) == 0 {
                i &+= 8
                continue
            }
            let stop = i &+ 8
            while i < stop {
                let b = p[i]
                if b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D { return i }
                i &+= 1
            }
        }
        while i < end {
            let b = p[i]
            if b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D { return i }
            i &+= 1
        }
        return end
    }

    /// Whether `a[0..<count]` equals `b[0..<count]`, where `a` has `available` readable bytes and `b` is padded so
    /// that 16 bytes are always readable (see `RecordSchema.keyBytes`). Keys of up to 16 bytes need no call.
    @inline(__always)
    static func shortEqual(_ a: UnsafePointer<UInt8>, available: Int, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        if count <= 8 && available >= 8 {
            let mask: UInt64 = count == 8 ? ~0 : (1 << UInt64(count &* 8)) &- 1
            return (load(a) ^ load(b)) & mask == 0
        }
        if count <= 16 && available >= 16 {
            let mask: UInt64 = count == 16 ? ~0 : (1 << UInt64((count &- 8) &* 8)) &- 1
            return load(a) == load(b) && (load(a + 8) ^ load(b + 8)) & mask == 0
        }
        return bytesEqual(a, b, count)
    }

    /// Whether all eight bytes of `x` are ASCII digits: each high nibble is 3 before and after adding 6.
    @inline(__always)
    static func isDigitWord(_ x: UInt64) -> Bool {
        x & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030
            && (x &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030
    }

    /// A nonzero bit in (at least) the lowest byte of `x` that is not an ASCII digit; 0 when all eight are digits.
    @inline(__always)
    static func nonDigitBytes(_ x: UInt64) -> UInt64 {
        let a = x ^ 0x3030_3030_3030_3030  // digits become 0x00–0x09
        // A high nibble left, or a low nibble of 10 or more (which adding 6 carries into bit 4). A carry out of a
        // non-digit byte can only mark bytes above it, so the lowest mark is exact.
        return (a & 0xF0F0_F0F0_F0F0_F0F0) | ((a &+ 0x0606_0606_0606_0606) & 0x1010_1010_1010_1010)
    }

    /// Whether `p[0..<n]` is ASCII digits only, eight bytes at a time.
    @inline(__always)
    static func isDigits(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        while i &+ 8 <= n {
            let x = load(p + i)
            // Each byte is 0x30–0x39 exactly when its high nibble is 3 before and after adding 6.
            if x & 0xF0F0_F0F0_F0F0_F0F0 != 0x3030_3030_3030_3030
                || (x &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 != 0x3030_3030_3030_3030
            {
                return false
            }
            i &+= 8
        }
        while i < n {
            if p[i] &- 0x30 >= 10 { return false }
            i &+= 1
        }
        return true
    }

    @inline(__always)
    static func store(_ x: UInt64, _ p: UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(p).storeBytes(of: x.littleEndian, as: UInt64.self)
    }

    /// Copies `count` bytes in whole words: may read up to 7 bytes past `source + count` and write up to 7 bytes
    /// past `target + count`; the caller guarantees both are inside its buffers.
    @inline(__always)
    static func copyWords(from source: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, count: Int) {
        var i = 0
        while i < count {
            store(load(source + i), target + i)
            i &+= 8
        }
    }

    /// Copies a JSON string's content that needs no escaping, scanning and copying in one pass; returns the end of
    /// what was written, or `nil` as soon as a byte needs escaping (then the caller escapes the whole value). Reads
    /// only `p[0..<n]`; may write up to 7 bytes past `out + n` (inside the caller's reserved room).
    @inline(__always)
    static func copyJSONStringContent(
        _ p: UnsafePointer<UInt8>, _ n: Int, to out: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8>? {
        if n >= 8 {
            var i = 0
            while i &+ 8 <= n {
                let x = load(p + i)
                if jsonSpecials(x) != 0 { return nil }
                store(x, out + i)
                i &+= 8
            }
            if i < n {
                // The last, partial word: load the final eight bytes again, overlapping what was copied.
                let x = load(p + (n &- 8))
                if jsonSpecials(x) != 0 { return nil }
                store(x, out + (n &- 8))
            }
            return out + n
        }
        let x = loadShort(p, n)
        let mask: UInt64 = (1 << UInt64(n &* 8)) &- 1
        if jsonSpecials(x) & mask != 0 { return nil }
        store(x, out)
        return out + n
    }

    /// High bits in the bytes of `x` that JSON must escape: `"`, `\` and below 0x20.
    @inline(__always)
    static func jsonSpecials(_ x: UInt64) -> UInt64 {
        zeroBytes(x ^ 0x2222_2222_2222_2222) | zeroBytes(x ^ 0x5C5C_5C5C_5C5C_5C5C) | bytesBelow(x, 0x20)
    }

    /// The `n` < 8 bytes at `p` as the low bytes of a word (the rest zero), reading nothing past `p + n`.
    @inline(__always)
    static func loadShort(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var x: UInt64 = 0
        var k = 0
        if n & 4 != 0 {
            x = UInt64(UInt32(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt32.self)))
            k = 4
        }
        if n & 2 != 0 {
            let y = UInt64(UInt16(littleEndian: UnsafeRawPointer(p + k).loadUnaligned(as: UInt16.self)))
            x |= y &<< UInt64(k &* 8)
            k &+= 2
        }
        if n & 1 != 0 { x |= UInt64(p[k]) &<< UInt64(k &* 8) }
        return x
    }
}
