/// Why a query (照会) got no answer. Timeouts and provider failures are also written to the history.
public struct QueryError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No linkage has this id.
        case unknownLinkage = "unknown-linkage"
        /// The linkage provides records; it is not a query.
        case notAQueryLinkage = "not-a-query-linkage"
        /// The asking system is not a receiver of the linkage.
        case notAReceiver = "not-a-receiver"
        /// The question names no key and no condition, or a condition on an item the asker may not see.
        case invalidQuestion = "invalid-question"
        /// No answer came before the deadline.
        case timeout = "timeout"
        /// The provider could not answer (its endpoint failed or refused).
        case providerError = "provider-error"
        /// The provider's answer did not conform to the layout.
        case invalidAnswer = "invalid-answer"
        /// The request could not be written to the broker.
        case broker = "broker"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Whether asking again later may succeed.
    public var isRetriable: Bool { code == .timeout || code == .providerError || code == .broker }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// The answer to a query: the records the provider found, each projected to exactly the asker's items.
public struct QueryResult: Sendable {
    public var correlationID: String
    /// JSON objects with only the asker's items.
    public var records: [[UInt8]]
}
