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
