/// Checks one present (non-empty) value against its item's rule. Absent values are handled by the caller, which
/// knows whether the item is required.
enum FieldValidator {
    @inline(__always)
    static func validate(
        _ p: UnsafePointer<UInt8>, _ n: Int, item: Int, rule: UnsafePointer<FieldRule>, schema: RecordSchema,
        codeWords: UnsafePointer<UInt64>
    ) -> ErrorReason? {
        switch rule.pointee.kind {
        case .string:
            return TextValidator.validate(p, n, characters: rule.pointee.characters, maxLength: rule.pointee.maxLength)
        case .digits:
            guard ByteScanning.isDigits(p, n) else { return nonDigitReason(p, n) }
            return n > rule.pointee.maxLength ? .tooLong : nil
        case .code:
            return isCode(p, n, item: item, rule: rule, schema: schema, codeWords: codeWords)
                ? nil : nonCodeReason(p, n)
        case .date:
            return DateValidator.validateDate(p, n, allowsUnknown: rule.pointee.allowsUnknownDate)
                .map { brokenTextReason(p, n) ?? $0 }
        case .datetime:
            return DateValidator.validateDatetime(p, n).map { brokenTextReason(p, n) ?? $0 }
        case .integer:
            return validateNumber(p, n, rule: rule, allowsFraction: false).map { brokenTextReason(p, n) ?? $0 }
        case .decimal:
            return validateNumber(p, n, rule: rule, allowsFraction: true).map { brokenTextReason(p, n) ?? $0 }
        case .boolean:
            if n == 4 && p[0] == 0x74 && p[1] == 0x72 && p[2] == 0x75 && p[3] == 0x65 { return nil }
            if n == 5 && p[0] == 0x66 && p[1] == 0x61 && p[2] == 0x6C && p[3] == 0x73 && p[4] == 0x65 { return nil }
            return brokenTextReason(p, n) ?? .notBoolean
        }
    }

    /// Broken UTF-8 in a value that failed its type's check, reported as such: it says more than "not a date",
    /// and in a file decoded from CP932 it marks bytes that could not be decoded. Only on the failure path.
    static func brokenTextReason(_ p: UnsafePointer<UInt8>, _ n: Int) -> ErrorReason? {
        var i = 0
        while i < n {
            if p[i] >= 0x80 {
                return TextValidator.validate(p, n, characters: .any, maxLength: .max) == .badUTF8 ? .badUTF8 : nil
            }
            i &+= 1
        }
        return nil
    }

    @inline(__always)
    static func isCode(
        _ p: UnsafePointer<UInt8>, _ n: Int, item: Int, rule: UnsafePointer<FieldRule>, schema: RecordSchema,
        codeWords: UnsafePointer<UInt64>
    ) -> Bool {
        if rule.pointee.hasLongCodes {
            return schema.longCodes[item]?.contains(Array(UnsafeBufferPointer(start: p, count: n))) ?? false
        }
        guard n <= 8 else { return false }
        var i = 0
        while i < n {
            if p[i] == 0 { return false }
            i &+= 1
        }
        let word = FieldRule.packCode(p, n)
        var c = Int(rule.pointee.codeStart)
        let end = c &+ Int(rule.pointee.codeCount)
        while c < end {
            if codeWords[c] == word { return true }
            c &+= 1
        }
        return false
    }

    /// A non-digit in a `digits` value: a control character or broken UTF-8 is reported as such, so the report
    /// says the more specific thing.
    static func nonDigitReason(_ p: UnsafePointer<UInt8>, _ n: Int) -> ErrorReason {
        TextValidator.validate(p, n, characters: .any, maxLength: .max) ?? .notDigits
    }

    static func nonCodeReason(_ p: UnsafePointer<UInt8>, _ n: Int) -> ErrorReason {
        TextValidator.validate(p, n, characters: .any, maxLength: .max) ?? .unknownCode
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?`, the JSON number grammar without exponent, so a valid value is also a valid
    /// JSON number. `maxLength` bounds the digits of an integer; precision and scale bound a decimal.
    static func validateNumber(
        _ p: UnsafePointer<UInt8>, _ n: Int, rule: UnsafePointer<FieldRule>, allowsFraction: Bool
    ) -> ErrorReason? {
        let failure: ErrorReason = allowsFraction ? .notDecimal : .notInteger
        var i = 0
        if p[0] == 0x2D { i = 1 }
        let intStart = i
        while i < n && p[i] &- 0x30 < 10 { i &+= 1 }
        let intDigits = i &- intStart
        guard intDigits > 0, intDigits == 1 || p[intStart] != 0x30 else { return failure }
        var fractionDigits = 0
        if i < n {
            guard allowsFraction, p[i] == 0x2E else { return failure }
            i &+= 1
            let fractionStart = i
            while i < n && p[i] &- 0x30 < 10 { i &+= 1 }
            fractionDigits = i &- fractionStart
            guard fractionDigits > 0, i == n else { return failure }
        }
        if allowsFraction {
            let precision = rule.pointee.precision
            let scale = rule.pointee.scale
            if fractionDigits > scale || intDigits > max(precision &- scale, 1) { return .notDecimal }
        } else if intDigits > rule.pointee.maxLength {
            return .tooLong
        }
        return nil
    }
}
