import CRdKafka

/// The one error type of the Kafka layer.
///
/// It carries the librdkafka error code (``Code``), a message meant for operators, and the classification that
/// callers act on: ``isRetriable`` (trying the same operation again may succeed), ``isFatal`` (the client can no
/// longer be used and must be recreated) and ``requiresTransactionAbort``.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A librdkafka error code (`rd_kafka_resp_err_t`): negative values are client-side, positive ones come from
    /// the broker protocol.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        /// The numeric `rd_kafka_resp_err_t` value.
        public var rawValue: Int32

        /// Wraps a numeric librdkafka error code.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        init(_ code: rd_kafka_resp_err_t) { self.rawValue = code.rawValue }

        var cValue: rd_kafka_resp_err_t { rd_kafka_resp_err_t(rawValue: rawValue) }

        /// librdkafka's symbolic name, such as `_TIMED_OUT` or `NOT_LEADER_FOR_PARTITION`.
        public var name: String { String(cString: rd_kafka_err2name(cValue)) }

        /// librdkafka's human-readable description of the code.
        public var description: String { String(cString: rd_kafka_err2str(cValue)) }

        /// Success.
        public static let noError = Code(RD_KAFKA_RESP_ERR_NO_ERROR)
        /// A local operation did not finish within its timeout.
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        /// A message was not delivered within `message.timeout.ms`.
        public static let messageTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        /// The local producer queue is full.
        public static let queueFull = Code(RD_KAFKA_RESP_ERR__QUEUE_FULL)
        /// An invalid argument or configuration value.
        public static let invalidArgument = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)
        /// Broker transport failure.
        public static let transport = Code(RD_KAFKA_RESP_ERR__TRANSPORT)
        /// All brokers are down.
        public static let allBrokersDown = Code(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        /// The operation is not allowed in the client's current state (for example a send outside a transaction).
        public static let state = Code(RD_KAFKA_RESP_ERR__STATE)
        /// The client raised a fatal error.
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
        /// The producer was fenced by a newer instance with the same transactional id.
        public static let fenced = Code(RD_KAFKA_RESP_ERR__FENCED)
        /// The client is being destroyed.
        public static let destroyed = Code(RD_KAFKA_RESP_ERR__DESTROY)
        /// The topic is not known to the cluster (client side).
        public static let unknownTopic = Code(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
        /// The partition is not known to the cluster (client side).
        public static let unknownPartition = Code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
        /// The failure came from the application code inside a transaction or batch, not from Kafka.
        public static let application = Code(RD_KAFKA_RESP_ERR__APPLICATION)
        /// Broker: unknown topic or partition.
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        /// Broker: leader not available.
        public static let leaderNotAvailable = Code(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
        /// Broker: not leader for partition.
        public static let notLeaderForPartition = Code(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION)
        /// Broker: request timed out.
        public static let requestTimedOut = Code(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT)
        /// Broker: not enough in-sync replicas.
        public static let notEnoughReplicas = Code(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS)
        /// Broker: the group is rebalancing.
        public static let rebalanceInProgress = Code(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS)
        /// Broker: the topic already exists.
        public static let topicAlreadyExists = Code(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        /// Broker: invalid producer epoch (an older transactional producer was fenced).
        public static let invalidProducerEpoch = Code(RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH)
        /// Broker: invalid transaction state.
        public static let invalidTransactionState = Code(RD_KAFKA_RESP_ERR_INVALID_TXN_STATE)
        /// Broker: the producer was fenced.
        public static let producerFenced = Code(RD_KAFKA_RESP_ERR_PRODUCER_FENCED)
        /// Broker: coordinator not available.
        public static let coordinatorNotAvailable = Code(RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE)
        /// Broker: not coordinator.
        public static let notCoordinator = Code(RD_KAFKA_RESP_ERR_NOT_COORDINATOR)
        /// The cluster does not support the request (client side).
        public static let unsupportedFeature = Code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE)
    }

    /// The librdkafka code behind this error.
    public let code: Code
    /// What went wrong, in words an operator can act on.
    public let message: String
    /// `true` when retrying the same operation may succeed (transient broker or network condition).
    public let isRetriable: Bool
    /// `true` when the client is unusable and must be recreated (for example a fenced transactional producer).
    public let isFatal: Bool
    /// `true` when the current transaction must be aborted before the producer can be used again.
    public let requiresTransactionAbort: Bool
    /// For configuration errors, the librdkafka property (or ``KafkaConfiguration`` field) at fault.
    public let configurationKey: String?

    init(
        code: Code, message: String, isRetriable: Bool? = nil, isFatal: Bool = false,
        requiresTransactionAbort: Bool = false, configurationKey: String? = nil
    ) {
        self.code = code
        self.message = message
        self.isRetriable = isRetriable ?? Self.retriableByDefault(code)
        self.isFatal = isFatal || code == .fatal || code == .fenced
        self.requiresTransactionAbort = requiresTransactionAbort
        self.configurationKey = configurationKey
    }

    /// An error from a bare librdkafka code, with librdkafka's own description when no context is given.
    init(code: Code, context: String? = nil) {
        let text = context.map { "\($0): \(code.description)" } ?? code.description
        self.init(code: code, message: text)
    }

    /// Takes ownership of an `rd_kafka_error_t` and destroys it.
    init(consuming error: OpaquePointer, context: String) {
        let code = Code(rd_kafka_error_code(error))
        let text = String(cString: rd_kafka_error_string(error))
        self.init(
            code: code,
            message: "\(context): \(text) (\(code.name))",
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            requiresTransactionAbort: rd_kafka_error_txn_requires_abort(error) != 0
        )
        rd_kafka_error_destroy(error)
    }

    /// A configuration value librdkafka (or our own validation) rejected.
    static func configuration(key: String, reason: String) -> KafkaError {
        KafkaError(
            code: .invalidArgument, message: "invalid configuration '\(key)': \(reason)", isRetriable: false,
            configurationKey: key)
    }

    /// The client was shut down before the operation completed.
    static func shutDown(_ what: String) -> KafkaError {
        KafkaError(code: .destroyed, message: "\(what): the client is shut down", isRetriable: false)
    }

    private static func retriableByDefault(_ code: Code) -> Bool {
        switch code {
        case .timedOut, .messageTimedOut, .queueFull, .transport, .allBrokersDown, .leaderNotAvailable,
            .notLeaderForPartition, .requestTimedOut, .notEnoughReplicas, .rebalanceInProgress,
            .coordinatorNotAvailable, .notCoordinator, .unknownTopicOrPartition:
            return true
        default:
            return false
        }
    }

    public var description: String {
        var flags: [String] = []
        if isFatal { flags.append("fatal") }
        if isRetriable { flags.append("retriable") }
        if requiresTransactionAbort { flags.append("abort transaction") }
        let suffix = flags.isEmpty ? "" : " [\(flags.joined(separator: ", "))]"
        return "KafkaError(\(code.name)): \(message)\(suffix)"
    }
}
