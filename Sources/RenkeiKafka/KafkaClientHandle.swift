import CRdKafka
import Dispatch
import Logging
import Synchronization

/// Per-client state that librdkafka callbacks reach through the `rd_kafka_t` opaque pointer.
final class KafkaClientContext: @unchecked Sendable {
    // Safe: `logger` is immutable; `rebalanceHandler` is set once before the client starts consuming and only read
    // afterwards, on the poll thread.
    let logger: Logger
    /// librdkafka lines above this level are not logged (``KafkaConfiguration/logLevel``).
    let logLevel: Int32
    nonisolated(unsafe) var rebalanceHandler:
        ((OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void)?
    /// Called (on a librdkafka thread) when the consumer reset a partition's position because the offset it
    /// wanted is no longer retained; set once before the client starts consuming.
    nonisolated(unsafe) var offsetResetHandler: ((KafkaRetentionLoss) -> Void)?

    init(logger: Logger, logLevel: Int) {
        self.logger = logger
        self.logLevel = Int32(logLevel)
    }
}

/// Owns one `rd_kafka_t`: created by the throwing factory, destroyed in `deinit`.
final class KafkaClientHandle: @unchecked Sendable {
    // Safe: librdkafka handles are thread-safe for every call this layer makes; the pointer itself never changes.
    let pointer: OpaquePointer
    let context: KafkaClientContext
    let role: KafkaClientRole

    /// Clients of this process not yet destroyed (``KafkaClients/openCount``).
    static let openCount = Atomic<Int>(0)

    private init(pointer: OpaquePointer, context: KafkaClientContext, role: KafkaClientRole) {
        self.pointer = pointer
        self.context = context
        self.role = role
        Self.openCount.add(1, ordering: .relaxed)
    }

    /// Creates a client; `prepare` may adjust the `rd_kafka_conf_t` (callbacks, event mask) before creation.
    static func make(
        role: KafkaClientRole, configuration: KafkaConfiguration, logger: Logger,
        prepare: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) -> KafkaClientHandle {
        let conf = try configuration.makeLibrdkafkaConf(for: role)
        let context = KafkaClientContext(logger: logger, logLevel: configuration.logLevel)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(conf, kafkaLogCallback)
        prepare(conf)
        var errorText = [CChar](repeating: 0, count: 512)
        let type = role == .consumer ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER
        // On success rd_kafka_new takes ownership of conf; on failure it stays ours.
        guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            let reason = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw KafkaError(
                code: .invalidArgument, message: "cannot create Kafka client: \(reason)", isRetriable: false)
        }
        return KafkaClientHandle(pointer: handle, context: context, role: role)
    }

    deinit {
        rd_kafka_destroy(pointer)
        Self.openCount.subtract(1, ordering: .relaxed)
    }

    /// The client's fatal error, if librdkafka raised one.
    func fatalError() -> KafkaError? {
        guard rd_kafka_fatal_error(pointer, nil, 0) != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        var text = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(pointer, &text, text.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        let reason = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return KafkaError(code: KafkaError.Code(code), message: "fatal client error: \(reason)", isFatal: true)
    }
}

/// Routes librdkafka's log lines (emitted on its internal threads) to the client's `Logger`.
private func kafkaLogCallback(
    _ rk: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ text: UnsafePointer<CChar>?
) {
    guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
    let context = Unmanaged<KafkaClientContext>.fromOpaque(opaque).takeUnretainedValue()
    let swiftLevel: Logger.Level
    switch level {
    case ...3: swiftLevel = .error
    case 4: swiftLevel = .warning
    case 5, 6: swiftLevel = .info
    default: swiftLevel = .debug
    }
    let message = text.map { String(cString: $0) } ?? ""
    let facilityName = facility.map { String(cString: $0) } ?? ""
    if facilityName == "OFFSET", let handler = context.offsetResetHandler, let loss = KafkaRetentionLoss(log: message) {
        handler(loss)
    }
    guard level <= context.logLevel else { return }
    context.logger.log(level: swiftLevel, "\(message)", metadata: ["rdkafka.facility": "\(facilityName)"])
}

/// Runs a blocking librdkafka call (flush, commit, close, metadata) on a Dispatch thread, never on the
/// cooperative pool, and resumes the caller with its result.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws(KafkaError) -> T) async throws(KafkaError) -> T {
    let result: Result<T, KafkaError> = await withCheckedContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async {
            continuation.resume(returning: Result { () throws(KafkaError) -> T in try body() })
        }
    }
    return try result.get()
}

extension Duration {
    /// Whole milliseconds, clamped to what librdkafka's `int` timeouts accept.
    var milliseconds: Int32 {
        let ms = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, ms))
    }
}
