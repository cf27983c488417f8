/// The character encodings record files may arrive in: UTF-8, and the legacy Japanese encodings of older systems'
/// exports (CP932, Microsoft's Shift_JIS, and Shift_JIS proper, JIS X 0208 only). Named here, where contracts
/// name an inbox's encoding; RenkeiCodec reads and writes them.
public enum TextEncoding: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case utf8 = "utf-8"
    case cp932
    case shiftJIS = "shift_jis"

    /// Parses a command-line value or an HTTP `charset=` parameter, ignoring case: `utf-8`, `utf8`, `cp932`,
    /// `windows-31j`, `ms932`, `shift_jis`, `shift-jis`, `sjis`.
    public init?(name: String) {
        switch name.lowercased() {
        case "utf-8", "utf8": self = .utf8
        case "cp932", "windows-31j", "ms932", "ms_kanji": self = .cp932
        case "shift_jis", "shift-jis", "sjis", "x-sjis": self = .shiftJIS
        default: return nil
        }
    }

    /// The canonical name, e.g. `cp932`.
    public var description: String { rawValue }

    /// The name people know it by, for messages.
    public var displayName: String {
        switch self {
        case .utf8: "UTF-8"
        case .cp932: "CP932"
        case .shiftJIS: "Shift_JIS"
        }
    }
}
