/// Validates free text in one pass over its UTF-8 bytes: well-formedness, control characters, the character rule,
/// and the length in characters as the standard counts them.
///
/// A variation selector (U+FE00–U+FE0F, U+E0100–U+E01EF) belongs to the character before it: it is not counted,
/// and only the ASCII and half-width rules reject it (a selector is neither ASCII nor half-width).
enum TextValidator {
    @inline(__always)
    static func validate(
        _ p: UnsafePointer<UInt8>, _ n: Int, characters: FieldRule.Characters, maxLength: Int
    ) -> ErrorReason? {
        switch characters {
        case .any: return validateAny(p, n, maxLength: maxLength)
        case .fullwidthKatakana:
            if let count = fullwidthKatakanaCount(p, n) { return count > maxLength ? .tooLong : nil }
        case .fullwidth:
            if let count = plainFullwidthCount(p, n) { return count > maxLength ? .tooLong : nil }
        default: break
        }
        var i = 0
        var count = 0
        var ruleBroken = false
        let asciiAllowed = characters == .any || characters == .halfwidth || characters == .ascii
        while i < n {
            let b = p[i]
            if b < 0x80 {
                if b < 0x20 || b == 0x7F { return .controlChar }
                if !asciiAllowed { ruleBroken = true }
                count &+= 1
                i &+= 1
                continue
            }
            var scalar: UInt32
            if b & 0xE0 == 0xC0 {
                guard b >= 0xC2, i &+ 1 < n else { return .badUTF8 }
                let c1 = p[i &+ 1]
                guard c1 & 0xC0 == 0x80 else { return .badUTF8 }
                scalar = UInt32(b & 0x1F) << 6 | UInt32(c1 & 0x3F)
                if scalar < 0xA0 { return .controlChar }
                i &+= 2
            } else if b & 0xF0 == 0xE0 {
                guard i &+ 2 < n else { return .badUTF8 }
                let c1 = p[i &+ 1]
                let c2 = p[i &+ 2]
                guard c1 & 0xC0 == 0x80, c2 & 0xC0 == 0x80 else { return .badUTF8 }
                scalar = UInt32(b & 0x0F) << 12 | UInt32(c1 & 0x3F) << 6 | UInt32(c2 & 0x3F)
                // Overlong forms and UTF-16 surrogates are not UTF-8.
                guard scalar >= 0x800, scalar & 0xF800 != 0xD800 else { return .badUTF8 }
                i &+= 3
            } else if b & 0xF8 == 0xF0 {
                guard b <= 0xF4, i &+ 3 < n else { return .badUTF8 }
                let c1 = p[i &+ 1]
                let c2 = p[i &+ 2]
                let c3 = p[i &+ 3]
                guard c1 & 0xC0 == 0x80, c2 & 0xC0 == 0x80, c3 & 0xC0 == 0x80 else { return .badUTF8 }
                scalar = UInt32(b & 0x07) << 18 | UInt32(c1 & 0x3F) << 12 | UInt32(c2 & 0x3F) << 6 | UInt32(c3 & 0x3F)
                guard scalar >= 0x10000, scalar <= 0x10FFFF else { return .badUTF8 }
                i &+= 4
            } else {
                return .badUTF8
            }
            if isVariationSelector(scalar) {
                if characters == .ascii || characters == .halfwidth { ruleBroken = true }
                continue
            }
            count &+= 1
            switch characters {
            case .any: break
            case .ascii: ruleBroken = true
            case .halfwidth: if !(0xFF61...0xFF9F).contains(scalar) { ruleBroken = true }
            case .fullwidth: if isHalfwidthForm(scalar) { ruleBroken = true }
            case .fullwidthKatakana: if !isFullwidthKatakana(scalar) { ruleBroken = true }
            }
        }
        if count > maxLength { return .tooLong }
        if ruleBroken { return .charRule }
        return nil
    }

    /// The common rule `any`: no scalar needs decoding except to spot variation selectors and C1 controls, and
    /// ASCII goes eight bytes at a time.
    @inline(__always)
    static func validateAny(_ p: UnsafePointer<UInt8>, _ n: Int, maxLength: Int) -> ErrorReason? {
        var i = 0
        var count = 0
        while i < n {
            if i &+ 8 <= n {
                let x = ByteScanning.load(p + i)
                if x & ByteScanning.highs == 0 {
                    if ByteScanning.bytesBelow(x, 0x20) | ByteScanning.zeroBytes(x ^ 0x7F7F_7F7F_7F7F_7F7F) != 0 {
                        return .controlChar
                    }
                    count &+= 8
                    i &+= 8
                    continue
                }
            }
            let b = p[i]
            if b < 0x80 {
                if b < 0x20 || b == 0x7F { return .controlChar }
                count &+= 1
                i &+= 1
            } else if b & 0xF0 == 0xE0 {
                guard i &+ 2 < n else { return .badUTF8 }
                let c1 = p[i &+ 1]
                let c2 = p[i &+ 2]
                guard c1 & 0xC0 == 0x80, c2 & 0xC0 == 0x80, b != 0xE0 || c1 >= 0xA0, b != 0xED || c1 < 0xA0 else {
                    return .badUTF8
                }
                // U+FE00–U+FE0F (EF B8 80–8F) belong to the character before them.
                if !(b == 0xEF && c1 == 0xB8 && c2 < 0x90) { count &+= 1 }
                i &+= 3
            } else if b & 0xE0 == 0xC0 {
                guard b >= 0xC2, i &+ 1 < n, p[i &+ 1] & 0xC0 == 0x80 else { return .badUTF8 }
                if b == 0xC2 && p[i &+ 1] < 0xA0 { return .controlChar }
                count &+= 1
                i &+= 2
            } else if b & 0xF8 == 0xF0 {
                guard b <= 0xF4, i &+ 3 < n else { return .badUTF8 }
                let c1 = p[i &+ 1]
                let c2 = p[i &+ 2]
                let c3 = p[i &+ 3]
                guard c1 & 0xC0 == 0x80, c2 & 0xC0 == 0x80, c3 & 0xC0 == 0x80 else { return .badUTF8 }
                let scalar =
                    UInt32(b & 0x07) << 18 | UInt32(c1 & 0x3F) << 12 | UInt32(c2 & 0x3F) << 6 | UInt32(c3 & 0x3F)
                guard scalar >= 0x10000, scalar <= 0x10FFFF else { return .badUTF8 }
                if !isVariationSelector(scalar) { count &+= 1 }
                i &+= 4
            } else {
                return .badUTF8
            }
        }
        return count > maxLength ? .tooLong : nil
    }

    /// The character count when the bytes are only katakana ァ–ヺ, ー, ヽ, ヾ and the ideographic space (all three
    /// bytes in UTF-8); `nil` otherwise, to let the general path find and name the problem.
    @inline(__always)
    static func fullwidthKatakanaCount(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        guard n % 3 == 0 else { return nil }
        var i = 0
        while i < n {
            guard p[i] == 0xE3 else { return nil }
            let c1 = p[i &+ 1]
            let c2 = p[i &+ 2]
            let ok =
                (c1 == 0x82 && c2 >= 0xA1 && c2 <= 0xBF) || (c1 == 0x83 && c2 >= 0x80 && c2 <= 0xBE && c2 != 0xBB)
                || (c1 == 0x80 && c2 == 0x80)
            guard ok else { return nil }
            i &+= 3
        }
        return n / 3
    }

    /// The character count when the bytes are only three-byte characters outside the half-width forms
    /// (U+FF61–U+FFDC, U+FFE8–U+FFEE), none a control, selector, surrogate or overlong form; `nil` otherwise.
    @inline(__always)
    static func plainFullwidthCount(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        guard n % 3 == 0 else { return nil }
        var i = 0
        while i < n {
            let b = p[i]
            let c1 = p[i &+ 1]
            let c2 = p[i &+ 2]
            guard b > 0xE0, b < 0xEF, b != 0xED, c1 & 0xC0 == 0x80, c2 & 0xC0 == 0x80 else { return nil }
            i &+= 3
        }
        return n / 3
    }

    @inline(__always)
    static func isVariationSelector(_ s: UInt32) -> Bool {
        (s &- 0xFE00) < 16 || (s &- 0xE0100) < 0xF0
    }

    /// Half-width katakana and the other half-width forms of the Halfwidth and Fullwidth Forms block.
    @inline(__always)
    static func isHalfwidthForm(_ s: UInt32) -> Bool {
        (0xFF61...0xFFDC).contains(s) || (0xFFE8...0xFFEE).contains(s)
    }

    /// ァ–ヺ, the long-vowel mark ー, the iteration marks ヽヾ and the ideographic (full-width) space.
    @inline(__always)
    static func isFullwidthKatakana(_ s: UInt32) -> Bool {
        (0x30A1...0x30FA).contains(s) || (0x30FC...0x30FE).contains(s) || s == 0x3000
    }
}
