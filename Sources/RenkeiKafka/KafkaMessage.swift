import CRdKafka

/// A consumed record. It views librdkafka's buffer of its batch without copying: ``value`` and ``key`` copy
/// on access, ``withUnsafeValue(_:)`` and ``withUnsafeKey(_:)`` read in place.
public struct KafkaMessage: Sendable {
    let storage: MessageBatchStorage
    let index: Int

    @inline(__always)
    private var raw: UnsafeMutablePointer<rd_kafka_message_t> { storage.messages[index]! }

    /// The topic the record was read from.
    public var topic: String { storage.topicNames[Int(storage.topicIndices[index])] }
    /// The partition.
    public var partition: Int32 { raw.pointee.partition }
    /// The record's offset in its partition.
    public var offset: Int64 { raw.pointee.offset }
    /// Topic and partition together.
    public var topicPartition: KafkaTopicPartition { KafkaTopicPartition(topic: topic, partition: partition) }

    /// A copy of the record value.
    public var value: [UInt8] { withUnsafeValue { Array($0) } }

    /// A copy of the record key, or `nil` if it has none.
    public var key: [UInt8]? {
        guard raw.pointee.key != nil else { return nil }
        return withUnsafeKey { Array($0) }
    }

    /// Calls `body` with the value bytes in place; they are valid only inside `body`.
    @inline(__always)
    public func withUnsafeValue<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let message = raw.pointee
        return try withExtendedLifetime(storage) {
            try body(UnsafeRawBufferPointer(start: message.payload, count: message.len))
        }
    }

    /// Calls `body` with the key bytes in place (empty when there is no key); valid only inside `body`.
    @inline(__always)
    public func withUnsafeKey<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let message = raw.pointee
        return try withExtendedLifetime(storage) {
            try body(UnsafeRawBufferPointer(start: message.key, count: message.key_len))
        }
    }

    /// The record headers, in order.
    public var headers: [KafkaHeader] {
        var headers: OpaquePointer? = nil
        guard rd_kafka_message_headers(raw, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers else { return [] }
        var result: [KafkaHeader] = []
        var index = 0
        while true {
            var name: UnsafePointer<CChar>? = nil
            var value: UnsafeRawPointer? = nil
            var size = 0
            guard rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR else {
                break
            }
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            result.append(KafkaHeader(name: name.map { String(cString: $0) } ?? "", value: bytes))
            index += 1
        }
        return result
    }

    /// The first header named `name`, if any.
    public func header(named name: String) -> [UInt8]? {
        headers.first { $0.name == name }?.value
    }

    /// The record timestamp in milliseconds since the Unix epoch, if the record has one.
    public var timestamp: Int64? {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let value = rd_kafka_message_timestamp(raw, &type)
        return type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : value
    }
}

/// Messages handed to the application in one hop, in partition order (offsets ascend within each partition).
public struct KafkaMessageBatch: Sendable, RandomAccessCollection {
    let storage: MessageBatchStorage

    /// Index of the first message.
    public var startIndex: Int { 0 }
    /// One past the last message.
    public var endIndex: Int { storage.messages.count }

    /// The message at `index`.
    @inline(__always)
    public subscript(index: Int) -> KafkaMessage { KafkaMessage(storage: storage, index: index) }

    /// For each partition in the batch, the offset after its last message: what a commit records once the
    /// batch is processed, and where a cursor continues.
    public var nextOffsets: [KafkaPartitionOffset] { storage.nextOffsets }
}

/// Owns the `rd_kafka_message_t`s of one batch and destroys them when the last view goes away.
///
/// It also keeps the client alive: librdkafka's `rd_kafka_destroy` waits, forever, for every message of the client
/// to be destroyed first, so a batch still buffered or still held by the application must not outlive its client.
final class MessageBatchStorage: @unchecked Sendable {
    // Safe: after construction on the poll thread the storage is only read (headers are parsed eagerly, so
    // librdkafka's lazy header cache is never written concurrently); `moveOut` runs only while the batch is
    // still owned by the channel, before any reader sees it.
    var messages: UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    let topicNames: [String]
    let topicIndices: [UInt16]
    let nextOffsets: [KafkaPartitionOffset]
    private let client: KafkaClientHandle

    /// Takes ownership of the messages (all without error) of `client`.
    init(
        taking source: UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>,
        of client: KafkaClientHandle
    ) {
        self.client = client
        let buffer = UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(
            capacity: source.count)
        _ = buffer.initialize(from: source)
        messages = buffer
        var names: [String] = []
        var indices = [UInt16](repeating: 0, count: source.count)
        var ends: [KafkaTopicPartition: Int64] = [:]
        var order: [KafkaTopicPartition] = []
        var lastTopic: OpaquePointer? = nil
        var lastIndex: UInt16 = 0
        var lastPartition: Int32 = -1
        var runEnd: Int64 = -1
        func closeRun() {
            guard lastTopic != nil else { return }
            let key = KafkaTopicPartition(topic: names[Int(lastIndex)], partition: lastPartition)
            if let existing = ends[key] {
                ends[key] = max(existing, runEnd)
            } else {
                ends[key] = runEnd
                order.append(key)
            }
        }
        for i in 0..<buffer.count {
            let message = buffer[i]!
            var headers: OpaquePointer? = nil
            _ = rd_kafka_message_headers(message, &headers)  // parse now, on this thread
            let topic = message.pointee.rkt
            if topic != lastTopic || message.pointee.partition != lastPartition {
                closeRun()
                if topic != lastTopic {
                    let name = String(cString: rd_kafka_topic_name(topic))
                    if let known = names.firstIndex(of: name) {
                        lastIndex = UInt16(known)
                    } else {
                        names.append(name)
                        lastIndex = UInt16(names.count - 1)
                    }
                }
                lastTopic = topic
                lastPartition = message.pointee.partition
            }
            indices[i] = lastIndex
            runEnd = message.pointee.offset + 1
        }
        closeRun()
        topicNames = names
        topicIndices = indices
        nextOffsets = order.map { KafkaPartitionOffset($0, offset: .offset(ends[$0]!)) }
    }

    deinit {
        for case let message? in messages { rd_kafka_message_destroy(message) }
        messages.deallocate()
    }

    /// The partitions present in this batch.
    var partitions: Set<KafkaTopicPartition> { Set(nextOffsets.map(\.topicPartition)) }

    /// A batch without the messages of `partitions` (destroying those), or `nil` if nothing is left.
    func removing(_ partitions: Set<KafkaTopicPartition>) -> MessageBatchStorage? {
        var kept: [UnsafeMutablePointer<rd_kafka_message_t>?] = []
        for i in 0..<messages.count {
            guard let message = messages[i] else { continue }
            let key = KafkaTopicPartition(topic: topicNames[Int(topicIndices[i])], partition: message.pointee.partition)
            if partitions.contains(key) {
                rd_kafka_message_destroy(message)
            } else {
                kept.append(message)
            }
            messages[i] = nil
        }
        guard !kept.isEmpty else { return nil }
        return kept.withUnsafeMutableBufferPointer { MessageBatchStorage(taking: $0, of: client) }
    }
}
