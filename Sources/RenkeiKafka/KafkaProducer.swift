import CRdKafka
public import Logging
import Synchronization

/// An idempotent (`acks=all`) Kafka producer with a batch API.
///
/// ``send(_:)`` enqueues a whole batch across the C boundary in one go and returns once every message of it has
/// an outcome; delivery reports are drained in batches by one background thread. When librdkafka's bounded
/// in-flight queue (``KafkaConfiguration/ProducerOptions/maxInFlightMessages``) is full the sender suspends until
/// acknowledgements free space, so memory stays bounded. Configure
/// ``KafkaConfiguration/ProducerOptions/transactionalID`` to use ``transaction(_:)``.
///
/// Run it as a `Service` (see `KafkaProducer+Service.swift`) or call ``shutdown()`` when done.
public final class KafkaProducer: Sendable {
    let client: KafkaClientHandle
    let pump: DeliveryPump
    let configuration: KafkaConfiguration
    let logger: Logger
    let isTransactional: Bool
    let transactionGate = AsyncGate()
    private let topics = Mutex<[String: TopicHandle]>([:])
    private let isShutDown = Atomic<Bool>(false)
    /// Senders inside ``enqueue(_:)``: shutdown waits for them, so no message is enqueued after the delivery
    /// thread stopped (its report would never be served and its sender would wait forever).
    private let activeSenders = Atomic<Int>(0)
    /// One sender at a time runs the enqueue loop: concurrent senders only fight over librdkafka's topic, partition
    /// and queue-count locks (futex hand-offs between the cores) and enqueue no faster. Held for one run of
    /// `rd_kafka_produce` calls, never across a suspension.
    private let enqueueLock = Mutex<Void>(())

    /// A cached `rd_kafka_topic_t`, destroyed with the producer.
    struct TopicHandle: @unchecked Sendable {
        // Safe: topic handles are thread-safe in librdkafka and live as long as the producer.
        let pointer: OpaquePointer
    }

    private init(client: KafkaClientHandle, configuration: KafkaConfiguration, logger: Logger) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.pump = DeliveryPump(
            client: client, maxInFlightMessages: configuration.producer.maxInFlightMessages)
        self.isTransactional = configuration.producer.transactionalID != nil
    }

    /// Creates a producer, starts its delivery-report thread and, when transactional, initialises transactions
    /// (which needs the cluster: it fails with a retriable ``KafkaError`` after
    /// ``KafkaConfiguration/operationTimeout`` if no broker answers).
    public static func make(configuration: KafkaConfiguration, logger: Logger) async throws(KafkaError) -> KafkaProducer
    {
        let client = try KafkaClientHandle.make(role: .producer, configuration: configuration, logger: logger) {
            conf in
            rd_kafka_conf_set_events(conf, Int32(RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR))
        }
        let producer = KafkaProducer(client: client, configuration: configuration, logger: logger)
        producer.pump.start()
        if producer.isTransactional {
            do {
                try await producer.initTransactions()
            } catch {
                await producer.shutdown()
                throw error
            }
        }
        return producer
    }

    deinit {
        for handle in topics.withLock({ $0.values }) { rd_kafka_topic_destroy(handle.pointer) }
    }

    /// Sends a batch and returns when every message has an outcome, in input order.
    ///
    /// Messages are enqueued without a suspension per message; the call suspends only when the in-flight bound is
    /// reached. A message that cannot be enqueued (unknown partition, too large, producer in a fatal state, a
    /// transactional producer outside a transaction) is reported as failed without stopping the others. Per-key
    /// order holds within a partition because the producer is idempotent.
    ///
    /// Cancellation does not recall enqueued messages; the call still waits for their outcomes.
    public func send(_ messages: [KafkaOutgoingMessage]) async throws(KafkaError) -> KafkaDeliveryReport {
        let tracker = try await enqueue(messages)
        await tracker.waitForAll()
        return KafkaDeliveryReport(tracker: tracker)
    }

    /// Enqueues a batch and returns its tracker without waiting for acknowledgements.
    func enqueue(_ messages: [KafkaOutgoingMessage]) async throws(KafkaError) -> DeliveryTracker {
        activeSenders.add(1, ordering: .sequentiallyConsistent)
        defer { activeSenders.subtract(1, ordering: .sequentiallyConsistent) }
        guard !isShutDown.load(ordering: .sequentiallyConsistent) else { throw .shutDown("send") }
        // librdkafka's own state first: the pump may not have served the error event yet.
        if let fatal = client.fatalError() ?? pump.fatalError { throw fatal }
        let tracker = DeliveryTracker(count: messages.count, keepingAlive: messages)
        var index = 0
        var topic = TopicCursor()
        var refusedWhileEmpty: Int? = nil
        while index < messages.count {
            let generation = pump.generation
            index = enqueueLock.withLock { _ in
                messages.withUnsafeBufferPointer { enqueueRun($0, from: index, topic: &topic, tracker: tracker) }
            }
            if index < messages.count {
                // librdkafka's queue is full. Refused again with nothing in flight, the message alone exceeds the
                // byte bound (`maxInFlightKilobytes`): it fails instead of waiting for space that never comes. (The
                // first empty queue may only mean that everything was acknowledged since the refusal.)
                if rd_kafka_outq_len(client.pointer) == 0 {
                    if refusedWhileEmpty == index {
                        tracker.recordImmediateFailure(index: index, code: RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue)
                        index += 1
                    } else {
                        refusedWhileEmpty = index
                    }
                    continue
                }
                // Otherwise serve the reports that are ready here and go on (unless others are already waiting:
                // they go first), or wait until the poll thread drained enough of them.
                if pump.serveReady() && !pump.hasWaiters { continue }
                let running = await pump.waitForSpace(after: generation)
                if !running {
                    for rest in index..<messages.count {
                        tracker.recordImmediateFailure(index: rest, code: KafkaError.Code.destroyed.rawValue)
                    }
                    index = messages.count
                }
            }
        }
        return tracker
    }

    /// The topic handle of the previous message, so a batch to one topic looks its handle up once.
    struct TopicCursor {
        var name: String? = nil
        var handle: OpaquePointer? = nil
    }

    /// Enqueues `messages[from...]` until done or librdkafka's queue is full; returns the index it stopped at.
    ///
    /// The messages are read in place through a pointer: no copy of the struct, so no retain/release of its
    /// strings and arrays per message (with several senders sharing one payload array, those reference counts
    /// would bounce between cores).
    private func enqueueRun(
        _ messages: UnsafeBufferPointer<KafkaOutgoingMessage>, from start: Int, topic: inout TopicCursor,
        tracker: DeliveryTracker
    ) -> Int {
        guard let base = messages.baseAddress else { return start }
        var index = start
        while index < messages.count {
            let code = produce(base + index, cursor: &topic, opaque: tracker.opaque(for: index))
            if code == RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue { break }
            if code != 0 { tracker.recordImmediateFailure(index: index, code: code) }
            index += 1
        }
        return index
    }

    /// Values from this size on are read in place by librdkafka instead of copied when enqueued (bulk chunks: a
    /// copy of every byte saved); the delivery tracker keeps them alive until their reports are in. Smaller ones
    /// are copied (`RD_KAFKA_MSG_F_COPY`), which librdkafka stores with the message in one allocation.
    static let inPlaceValueBytes = 64 * 1024

    @inline(__always)
    static func copyFlags(_ valueCount: Int) -> Int32 { valueCount >= inPlaceValueBytes ? 0 : 0x2 }

    /// Enqueues one message; returns 0 or the librdkafka error code.
    @inline(__always)
    private func produce(
        _ message: UnsafePointer<KafkaOutgoingMessage>, cursor: inout TopicCursor, opaque: UnsafeMutableRawPointer
    ) -> Int32 {
        if message.pointee.topic != cursor.name {
            cursor.name = message.pointee.topic
            cursor.handle = topicHandle(message.pointee.topic)
        }
        let topic = cursor.handle!
        let partition = message.pointee.partition ?? -1
        guard message.pointee.headers.isEmpty else {
            return produceWithHeaders(message, topic: topic, partition: partition, opaque: opaque)
        }
        let result = message.pointee.value.withUnsafeBytes { value in
            withKey(message) { keyPointer, keyCount in
                rd_kafka_produce(
                    topic, partition, Self.copyFlags(value.count), UnsafeMutableRawPointer(mutating: value.baseAddress),
                    value.count, keyPointer, keyCount, opaque)
            }
        }
        return result == 0 ? 0 : rd_kafka_last_error().rawValue
    }

    private func produceWithHeaders(
        _ message: UnsafePointer<KafkaOutgoingMessage>, topic: OpaquePointer, partition: Int32,
        opaque: UnsafeMutableRawPointer
    ) -> Int32 {
        let headers = rd_kafka_headers_new(message.pointee.headers.count)!
        for header in message.pointee.headers {
            if let value = header.value {
                _ = value.withUnsafeBytes { rd_kafka_header_add(headers, header.name, -1, $0.baseAddress, $0.count) }
            } else {
                _ = rd_kafka_header_add(headers, header.name, -1, nil, 0)
            }
        }
        let error: OpaquePointer? = message.pointee.value.withUnsafeBytes { value in
            withKey(message) { keyPointer, keyCount in
                withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { values in
                    values.initialize(repeating: rd_kafka_vu_t())
                    values[0].vtype = RD_KAFKA_VTYPE_RKT
                    values[0].u.rkt = topic
                    values[1].vtype = RD_KAFKA_VTYPE_PARTITION
                    values[1].u.i32 = partition
                    values[2].vtype = RD_KAFKA_VTYPE_VALUE
                    values[2].u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                    values[2].u.mem.size = value.count
                    values[3].vtype = RD_KAFKA_VTYPE_KEY
                    values[3].u.mem.ptr = keyPointer.map { UnsafeMutableRawPointer(mutating: $0) }
                    values[3].u.mem.size = keyCount
                    values[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    values[4].u.i = Self.copyFlags(value.count)
                    values[5].vtype = RD_KAFKA_VTYPE_OPAQUE
                    values[5].u.ptr = opaque
                    values[6].vtype = RD_KAFKA_VTYPE_HEADERS
                    values[6].u.headers = headers
                    return rd_kafka_produceva(client.pointer, values.baseAddress, values.count)
                }
            }
        }
        guard let error else { return 0 }  // librdkafka now owns the headers.
        rd_kafka_headers_destroy(headers)
        let code = rd_kafka_error_code(error).rawValue
        rd_kafka_error_destroy(error)
        return code
    }

    @inline(__always)
    private func withKey<R>(_ message: UnsafePointer<KafkaOutgoingMessage>, _ body: (UnsafeRawPointer?, Int) -> R) -> R
    {
        // Optional chaining reads the array in place; `if let` would copy it (a retain) for every message.
        message.pointee.key?.withUnsafeBytes { body($0.baseAddress, $0.count) } ?? body(nil, 0)
    }

    private func topicHandle(_ name: String) -> OpaquePointer {
        topics.withLock { handles in
            if let handle = handles[name] { return handle.pointer }
            let handle = rd_kafka_topic_new(client.pointer, name, nil)!
            handles[name] = TopicHandle(pointer: handle)
            return handle
        }
    }

    /// Waits until every enqueued message is acknowledged or failed, at most `timeout`.
    public func flush(timeout: Duration) async throws(KafkaError) {
        let client = self.client
        try await runBlocking { () throws(KafkaError) in
            let code = rd_kafka_flush(client.pointer, timeout.milliseconds)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(
                    code: KafkaError.Code(code),
                    message: "flush: \(rd_kafka_outq_len(client.pointer)) messages still in flight after \(timeout)")
            }
        }
    }

    /// Flushes within ``KafkaConfiguration/ProducerOptions/shutdownFlushTimeout``, fails what is still queued
    /// (their senders get ``KafkaError/Code/destroyed`` outcomes, never a hang) and stops the poll thread.
    /// Calling it again does nothing.
    public func shutdown() async {
        guard !isShutDown.exchange(true, ordering: .sequentiallyConsistent) else { return }
        while activeSenders.load(ordering: .sequentiallyConsistent) > 0 {
            try? await Task.sleep(for: .milliseconds(1))
        }
        do {
            try await flush(timeout: configuration.producer.shutdownFlushTimeout)
        } catch {
            logger.warning("producer shutdown: flush incomplete", metadata: ["renkei.kafka.error": "\(error)"])
            rd_kafka_purge(client.pointer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        }
        await pump.stop()
    }
}
