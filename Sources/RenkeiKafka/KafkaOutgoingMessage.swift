/// A header of a Kafka record: a UTF-8 name and optional bytes (CloudEvents `ce_*` attributes travel here).
public struct KafkaHeader: Sendable, Hashable {
    /// The header name.
    public var name: String
    /// The header value; `nil` is a null value, distinct from empty bytes.
    public var value: [UInt8]?

    /// A header with bytes.
    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// A header whose value is the UTF-8 bytes of `value`.
    public init(name: String, utf8 value: String) {
        self.name = name
        self.value = Array(value.utf8)
    }
}

/// A record to produce.
///
/// Key and value are contiguous `[UInt8]`, copied once into librdkafka's buffers when the message is enqueued; the
/// arrays are shared, not copied, when the same bytes go to several topics (fan-out).
public struct KafkaOutgoingMessage: Sendable {
    /// The destination topic.
    public var topic: String
    /// A fixed partition, or `nil` to let the partitioner choose from the key (same key, same partition).
    public var partition: Int32?
    /// The record key, or `nil`.
    public var key: [UInt8]?
    /// The record value.
    public var value: [UInt8]
    /// Record headers, in order.
    public var headers: [KafkaHeader]

    /// A record to produce.
    public init(
        topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8], headers: [KafkaHeader] = []
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }
}
