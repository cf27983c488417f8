public import Foundation

/// What became of one inbox file, written beside it in `done/` or `failed/` as `<name>.result.json`: counts and,
/// for refused rows, where and why (row, line, item, reason) — never a value.
public struct InboxResult: Sendable, Hashable, Codable {
    public struct RowError: Sendable, Hashable, Codable {
        /// 1-based data row (0 for the header).
        public var row: Int
        /// 1-based line of the file where the row starts.
        public var line: Int
        /// The item's name, when the error is about one item.
        public var item: String?
        /// The 1-based CSV column, when the error is about a column (an unknown header name).
        public var column: Int?
        /// The stable reason code (`required`, `too-long`, `unknown-item`, …).
        public var reason: String
    }

    public var file: String
    public var sha256: String
    public var linkage: String
    public var provider: String
    /// `ingested`, `refused`, or `already-ingested` (the same name and SHA-256 came before).
    public var outcome: String
    /// The bulk transfer the file became (also for a file refused, the id its transfer would have had).
    public var transfer: String
    public var records: Int
    public var accepted: Int
    public var quarantined: Int
    public var invalid: Int
    /// Why the file was refused, in words.
    public var message: String?
    /// The first errors found (at most ``BusConfiguration/maxReportedErrors``).
    public var errors: [RowError]
    public var finishedAt: Date

    public func encoded() -> [UInt8] { Array(try! DocumentJSON.pretty.encode(self)) }

    public static func decode(_ bytes: [UInt8]) -> InboxResult? {
        try? DocumentJSON.decoder.decode(InboxResult.self, from: Data(bytes))
    }
}
