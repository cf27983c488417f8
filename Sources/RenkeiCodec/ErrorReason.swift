/// Why a value, a record or a file failed to conform: a stable code for reports, metrics and dead-letter headers.
///
/// The raw values are part of the public contract (`renkei conform --format json`, dead-letter headers); never
/// rename one. Messages built from a reason never contain the offending value, which may be personal data.
public enum ErrorReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A required item is absent or empty.
    case required
    /// The value has more characters (or digits) than the item's maximum length.
    case tooLong = "too-long"
    /// A `digits` item holds something other than ASCII digits.
    case notDigits = "not-digits"
    /// An `integer` item is not an optionally negative whole number without leading zeros.
    case notInteger = "not-integer"
    /// A `decimal` item is not a decimal number within its precision and scale.
    case notDecimal = "not-decimal"
    /// A `boolean` item is neither `true` nor `false`.
    case notBoolean = "not-boolean"
    /// A `date` item is not a real calendar date written `YYYY-MM-DD` (nor the unknown marker where allowed).
    case badDate = "bad-date"
    /// A `datetime` item is not an RFC 3339 date and time.
    case badDatetime = "bad-datetime"
    /// A `code` item holds a value that is not in its code table.
    case unknownCode = "unknown-code"
    /// A character breaks the item's character rule (全角, 全角カタカナ, 半角, ASCII).
    case charRule = "char-rule"
    /// The value contains a control character (C0, DEL or C1), a line break or a tab among them.
    case controlChar = "control-char"
    /// The bytes are not well-formed UTF-8.
    case badUTF8 = "bad-utf8"
    /// Bytes that the file's declared legacy encoding (CP932, Shift_JIS) cannot decode.
    case undecodable
    /// A character the output encoding (CP932, Shift_JIS) cannot hold, e.g. 𠮷 or an emoji.
    case unencodable
    /// The file is evidently not in its declared encoding (e.g. CP932 declared as UTF-8): reported once, at the line of
    /// its first non-ASCII byte; nothing after that line is decoded.
    case wrongEncoding = "wrong-encoding"
    /// A JSON value has the wrong JSON type for the item (a number for a `digits` item, an object, …).
    case wrongType = "wrong-type"
    /// A JSON field or a CSV column names no item of the layout.
    case unknownItem = "unknown-item"
    /// The same item appears twice in one JSON object or CSV header.
    case duplicateItem = "duplicate-item"
    /// A CSV row has a different number of fields than the header.
    case fieldCount = "field-count"
    /// The CSV breaks RFC 4180 (a stray quote, text after a closing quote, an unterminated quoted field).
    case malformedCSV = "malformed-csv"
    /// The line is not one well-formed JSON object.
    case malformedJSON = "malformed-json"
    /// One record is larger than the decoder's limit; it was skipped.
    case recordTooLarge = "record-too-large"

    /// The stable code, e.g. `too-long`.
    public var description: String { rawValue }

    /// A short English explanation that never includes the value.
    public var summary: String {
        switch self {
        case .required: "required item is empty"
        case .tooLong: "value longer than the item's maximum length"
        case .notDigits: "value is not made of digits 0-9"
        case .notInteger: "value is not a whole number"
        case .notDecimal: "value is not a decimal number within precision and scale"
        case .notBoolean: "value is neither true nor false"
        case .badDate: "value is not a calendar date YYYY-MM-DD"
        case .badDatetime: "value is not an RFC 3339 date-time"
        case .unknownCode: "value is not in the item's code table"
        case .charRule: "character not allowed by the item's character rule"
        case .controlChar: "value contains a control character"
        case .badUTF8: "bytes are not valid UTF-8"
        case .undecodable: "bytes cannot be decoded in the file's encoding"
        case .unencodable: "character cannot be written in the output encoding"
        case .wrongEncoding: "file is not in its declared encoding"
        case .wrongType: "JSON value has the wrong type for the item"
        case .unknownItem: "field names no item of the layout"
        case .duplicateItem: "item appears more than once"
        case .fieldCount: "row has a different number of fields than the header"
        case .malformedCSV: "row is not well-formed CSV (RFC 4180)"
        case .malformedJSON: "line is not a well-formed JSON object"
        case .recordTooLarge: "record exceeds the decoder's size limit"
        }
    }
}
