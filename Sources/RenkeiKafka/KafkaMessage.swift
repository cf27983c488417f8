import CRdKafka
import Synchronization

/// A consumed record. It views librdkafka's buffer of its batch without copying: ``value`` and ``key`` copy
/// on access, ``withUnsafeValue(_:)`` and ``withUnsafeKey(_:)`` read in place.
public struct KafkaMessage: Sendable {
    // Usable from inline so that reading values in place compiles into the caller's loop: across the module
    // boundary each message would otherwise cost two generic calls and a retain/release of the storage.
    @usableFromInline let storage: MessageBatchStorage
    @usableFromInline let index: Int

    @usableFromInline
    init(storage: MessageBatchStorage, index: Int) {
        self.storage = storage
        self.index = index
    }

    @inline(__always)
    private var raw: UnsafeMutablePointer<rd_kafka_message_t> { storage.messages[index].unsafelyUnwrapped }

    /// The topic the record was read from.
    public var topic: String { storage.topicName(of: raw.pointee.rkt) }
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
    @inlinable
    public func withUnsafeValue<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) { try body(storage.valueBytes(at: index)) }
    }

    /// Calls `body` with the key bytes in place (empty when there is no key); valid only inside `body`.
    @inlinable
    public func withUnsafeKey<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) { try body(storage.keyBytes(at: index)) }
    }

    /// The record headers, in order.
    public var headers: [KafkaHeader] {
        guard let headers = storage.parsedHeaders(of: raw) else { return [] }
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
    @usableFromInline let storage: MessageBatchStorage

    /// Index of the first message.
    @inlinable public var startIndex: Int { 0 }
    /// One past the last message.
    @inlinable public var endIndex: Int { storage.count }

    /// The message at `index`.
    @inlinable
    public subscript(index: Int) -> KafkaMessage {
        precondition(index >= 0 && index < storage.count, "index out of range")
        return KafkaMessage(storage: storage, index: index)
    }

    /// For each partition in the batch, the offset after its last message: what a commit records once the
    /// batch is processed, and where a cursor continues.
    public var nextOffsets: [KafkaPartitionOffset] { storage.nextOffsets }
}

/// Owns the `rd_kafka_message_t`s of one batch and destroys them when the last view goes away.
///
/// It also keeps the client alive: librdkafka's `rd_kafka_destroy` waits, forever, for every message of the client
/// to be destroyed first, so a batch still buffered or still held by the application must not outlive its client.
@usableFromInline
final class MessageBatchStorage: @unchecked Sendable {
    // Safe: after construction on the poll thread the storage is only read, except librdkafka's lazy header parse,
    // which writes into the message and therefore runs under `headerLock`; `removing` runs only while the batch is
    // still owned by the channel, before any reader sees it.
    let messages: UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    /// Number of messages.
    @usableFromInline let count: Int
    /// The batch's topics by handle: one entry in the common case, so finding a name is one comparison.
    let topics: [(handle: OpaquePointer, name: String)]
    let nextOffsets: [KafkaPartitionOffset]
    private let client: KafkaClientHandle
    private let headerLock = Mutex<Void>(())

    /// A key for the offset bookkeeping of the constructor: topic handle and partition, hashed without the name.
    private struct HandlePartition: Hashable {
        var handle: UInt
        var partition: Int32
    }

    /// Takes ownership of `buffer` (allocated with `allocate(capacity:)`) and of its messages (all without error)
    /// of `client`; deallocates it on deinit. Nothing is copied and nothing is done per message but reading its
    /// position.
    init(
        taking buffer: UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>,
        of client: KafkaClientHandle
    ) {
        self.client = client
        messages = buffer
        count = buffer.count
        var topics: [(handle: OpaquePointer, name: String)] = []
        var ends: [HandlePartition: Int] = [:]  // index into `order`
        var order: [(handle: OpaquePointer, partition: Int32, end: Int64)] = []
        var runTopic: OpaquePointer? = nil
        var runPartition: Int32 = -1
        var runEnd: Int64 = -1
        func closeRun() {
            guard let runTopic else { return }
            let key = HandlePartition(handle: UInt(bitPattern: runTopic), partition: runPartition)
            if let existing = ends[key] {
                order[existing].end = max(order[existing].end, runEnd)
            } else {
                ends[key] = order.count
                order.append((runTopic, runPartition, runEnd))
            }
        }
        for message in buffer {
            let message = message.unsafelyUnwrapped
            let topic = message.pointee.rkt
            if topic != runTopic || message.pointee.partition != runPartition {
                closeRun()
                if let topic, !topics.contains(where: { $0.handle == topic }) {
                    topics.append((topic, String(cString: rd_kafka_topic_name(topic))))
                }
                runTopic = topic
                runPartition = message.pointee.partition
            }
            runEnd = message.pointee.offset + 1
        }
        closeRun()
        self.topics = topics
        nextOffsets = order.map { entry in
            let name = topics.first { $0.handle == entry.handle }!.name
            return KafkaPartitionOffset(
                KafkaTopicPartition(topic: name, partition: entry.partition), offset: .offset(entry.end))
        }
    }

    deinit {
        for case let message? in messages { rd_kafka_message_destroy(message) }
        messages.deallocate()
    }

    /// The value bytes of message `index`, valid while the storage lives.
    @usableFromInline
    func valueBytes(at index: Int) -> UnsafeRawBufferPointer {
        let message = messages[index].unsafelyUnwrapped
        return UnsafeRawBufferPointer(start: message.pointee.payload, count: message.pointee.len)
    }

    /// The key bytes of message `index` (empty when it has none), valid while the storage lives.
    @usableFromInline
    func keyBytes(at index: Int) -> UnsafeRawBufferPointer {
        let message = messages[index].unsafelyUnwrapped
        return UnsafeRawBufferPointer(start: message.pointee.key, count: message.pointee.key_len)
    }

    /// The name of the topic behind `handle`.
    @inline(__always)
    func topicName(of handle: OpaquePointer?) -> String {
        for entry in topics where entry.handle == handle { return entry.name }
        return handle.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
    }

    /// The message's parsed headers, or `nil` if it has none. librdkafka parses them on first access and caches
    /// them in the message; the lock keeps two readers of one message from parsing at once. After that the
    /// headers are only read.
    func parsedHeaders(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> OpaquePointer? {
        var headers: OpaquePointer? = nil
        let code = headerLock.withLock { _ in rd_kafka_message_headers(message, &headers) }
        return code == RD_KAFKA_RESP_ERR_NO_ERROR ? headers : nil
    }

    /// The partitions present in this batch.
    var partitions: Set<KafkaTopicPartition> { Set(nextOffsets.map(\.topicPartition)) }

    /// A batch without the messages of `partitions` (destroying those), or `nil` if nothing is left.
    func removing(_ partitions: Set<KafkaTopicPartition>) -> MessageBatchStorage? {
        let kept = UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(
            capacity: messages.count)
        var count = 0
        for i in 0..<messages.count {
            guard let message = messages[i] else { continue }
            let key = KafkaTopicPartition(
                topic: topicName(of: message.pointee.rkt), partition: message.pointee.partition)
            if partitions.contains(key) {
                rd_kafka_message_destroy(message)
            } else {
                kept[count] = message
                count += 1
            }
            messages[i] = nil
        }
        guard count > 0 else {
            kept.deallocate()
            return nil
        }
        return MessageBatchStorage(taking: UnsafeMutableBufferPointer(rebasing: kept[0..<count]), of: client)
    }
}
