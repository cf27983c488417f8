public import RenkeiCodec
public import RenkeiKafka

/// Why a provide did not go through. Every refusal is also written to the history.
public struct ProvideError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No linkage has this id.
        case unknownLinkage = "unknown-linkage"
        /// The linkage is a query, not a provide.
        case notAProvideLinkage = "not-a-provide-linkage"
        /// The system is not the linkage's provider.
        case notTheProvider = "not-the-provider"
        /// Records failed validation and the linkage's policy is `reject`.
        case invalidRecords = "invalid-records"
        /// The input is not a stream of records at all (unknown CSV columns, unreadable data).
        case unreadableInput = "unreadable-input"
        /// The submission was empty.
        case noRecords = "no-records"
        /// The broker did not take the records; nothing was delivered.
        case broker = "broker"
        /// The provider stopped the transfer (or its connection broke) before the end; nothing was delivered.
        case interrupted = "interrupted"
    }

    public var code: Code
    public var message: String
    /// Record errors (at most `BusConfiguration.maxReportedErrors`), for `invalidRecords` and `unreadableInput`.
    public var recordErrors: [RecordError]
    /// How many records had errors in all.
    public var invalidCount: Int
    /// The broker's error, for `broker`.
    public var kafkaError: KafkaError?

    init(
        _ code: Code, _ message: String, recordErrors: [RecordError] = [], invalidCount: Int = 0,
        kafkaError: KafkaError? = nil
    ) {
        self.code = code
        self.message = message
        self.recordErrors = recordErrors
        self.invalidCount = invalidCount
        self.kafkaError = kafkaError
    }

    /// Whether trying the same submission again later may succeed.
    public var isRetriable: Bool { code == .broker && (kafkaError?.isRetriable ?? true) || code == .interrupted }

    public var description: String { "\(code.rawValue): \(message)" }
}
