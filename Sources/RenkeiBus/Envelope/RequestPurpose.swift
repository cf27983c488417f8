/// Why a caller makes one request — a provide, a bulk transfer or a query — in its own words (X-Road's `issue`),
/// for example `転入届 受付番号2026-0412`. It travels in the envelope (``EnvelopeHeader/requestPurpose``) to every
/// receiver and is written into every history entry the request causes (``HistoryEntry/requestPurpose``).
///
/// It is not the contract's purpose of use (``Envelope/purpose``, fixed per receiver by the linkage): that says why a
/// receiver may have the data at all, this says why this request was made. It is free text and may name a person, so
/// it is never logged; ``description`` gives only its length.
public struct RequestPurpose: Sendable, Hashable, CustomStringConvertible {
    /// The most UTF-8 bytes a purpose may have.
    public static let maxBytes = 256

    /// The purpose as the caller wrote it: 1…``maxBytes`` bytes of UTF-8, no control characters.
    public let text: String

    /// A purpose from its text; refused when empty, longer than ``maxBytes`` bytes of UTF-8, or holding a control
    /// character (U+0000–U+001F, U+007F–U+009F).
    public init(_ text: String) throws(RequestPurposeError) {
        guard !text.isEmpty else { throw RequestPurposeError(.empty, "is empty; leave it out instead.") }
        let bytes = text.utf8.count
        guard bytes <= Self.maxBytes else {
            throw RequestPurposeError(
                .tooLong, "has \(bytes) bytes of UTF-8; at most \(Self.maxBytes) are allowed.")
        }
        for (position, scalar) in text.unicodeScalars.enumerated() where Self.isControl(scalar) {
            throw RequestPurposeError(
                .controlCharacter,
                "holds a control character (U+\(Self.hex(scalar.value))) at character \(position + 1); "
                    + "control characters are not allowed.")
        }
        self.text = text
    }

    /// A purpose from an HTTP header value: printable ASCII, with every other UTF-8 byte (and `%`) percent-encoded
    /// as `%XX` — the encoding of CloudEvents HTTP headers (``CloudEventsHTTPValue``), so a purpose reaches a webhook
    /// exactly as the caller sent it. Raw bytes outside printable ASCII are refused: HTTP does not say how to read them.
    public init(httpHeader value: String) throws(RequestPurposeError) {
        for (position, scalar) in value.unicodeScalars.enumerated() where scalar.value < 0x20 || scalar.value > 0x7E {
            throw RequestPurposeError(
                .notPercentEncoded,
                "holds a character outside printable ASCII at character \(position + 1); percent-encode its UTF-8 "
                    + "bytes (`%E8%BB%A2` for 転).")
        }
        guard let decoded = CloudEventsHTTPValue.decode(value) else {
            throw RequestPurposeError(
                .malformedEscape,
                "is not percent-encoded UTF-8: a `%` not followed by two hex digits, or bytes that are not UTF-8 "
                    + "(write `%` itself as `%25`).")
        }
        try self.init(decoded)
    }

    /// The purpose as an HTTP header value (percent-encoded, as ``init(httpHeader:)`` reads it).
    public var httpHeaderValue: String { CloudEventsHTTPValue.encode(text) }

    /// Only the length: the text may name a person, and descriptions end up in logs.
    public var description: String { "RequestPurpose(\(text.utf8.count) bytes)" }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// A purpose that cannot be used; the message says why without repeating the text.
public struct RequestPurposeError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case empty
        case tooLong = "too-long"
        case controlCharacter = "control-character"
        case notPercentEncoded = "not-percent-encoded"
        case malformedEscape = "malformed-escape"
    }

    public var code: Code
    /// What is wrong, to follow "the purpose …".
    public var reason: String

    init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "The purpose \(reason)" }
}
