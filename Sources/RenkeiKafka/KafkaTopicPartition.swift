/// A partition of a topic.
public struct KafkaTopicPartition: Sendable, Hashable, CustomStringConvertible {
    /// The topic name.
    public var topic: String
    /// The partition number.
    public var partition: Int32

    /// A topic and partition.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// A position in a partition: where a cursor read starts or what a commit records.
public struct KafkaOffset: Sendable, Hashable, CustomStringConvertible {
    /// The raw offset; negative values are librdkafka's logical offsets.
    public var rawValue: Int64

    /// A concrete offset: the next record to read.
    public static func offset(_ value: Int64) -> KafkaOffset { KafkaOffset(rawValue: value) }
    /// The oldest retained record.
    public static let beginning = KafkaOffset(rawValue: -2)
    /// The end of the log: only records produced from now on.
    public static let end = KafkaOffset(rawValue: -1)
    /// The group's committed offset (falling back to `auto.offset.reset`).
    public static let committed = KafkaOffset(rawValue: -1000)

    /// Wraps a raw librdkafka offset.
    public init(rawValue: Int64) { self.rawValue = rawValue }

    public var description: String {
        switch rawValue {
        case -2: "beginning"
        case -1: "end"
        case -1000: "committed"
        default: String(rawValue)
        }
    }
}

/// A partition together with an offset in it.
public struct KafkaPartitionOffset: Sendable, Hashable, CustomStringConvertible {
    /// The partition.
    public var topicPartition: KafkaTopicPartition
    /// The offset in it.
    public var offset: KafkaOffset

    /// A partition and offset.
    public init(topic: String, partition: Int32, offset: KafkaOffset) {
        self.topicPartition = KafkaTopicPartition(topic: topic, partition: partition)
        self.offset = offset
    }

    /// A partition and offset.
    public init(_ topicPartition: KafkaTopicPartition, offset: KafkaOffset) {
        self.topicPartition = topicPartition
        self.offset = offset
    }

    public var description: String { "\(topicPartition)@\(offset)" }
}

/// The low and high watermarks of a partition: the oldest retained offset and the offset the next record gets.
public struct KafkaWatermarks: Sendable, Hashable {
    /// The oldest retained offset.
    public var low: Int64
    /// The offset of the next record to be written (one past the last).
    public var high: Int64
    /// Records currently retained.
    public var count: Int64 { high - low }

    /// Watermarks.
    public init(low: Int64, high: Int64) {
        self.low = low
        self.high = high
    }
}

/// What the cluster says about one topic.
public struct KafkaTopicMetadata: Sendable, Hashable {
    /// The topic name.
    public var name: String
    /// The partition numbers.
    public var partitions: [Int32]
    /// Leader broker id per partition, in the order of ``partitions``.
    public var leaders: [Int32]
    /// Number of replicas per partition, in the order of ``partitions``.
    public var replicaCounts: [Int] = []

    /// The topic's replication factor: the fewest replicas any partition has (0 for a topic without partitions).
    public var replicationFactor: Int { replicaCounts.min() ?? 0 }
}

/// A topic to create.
public struct KafkaTopicSpecification: Sendable, Hashable {
    /// The topic name.
    public var name: String
    /// Number of partitions.
    public var partitions: Int
    /// Replication factor.
    public var replicationFactor: Int
    /// Topic configuration (`retention.ms`, `cleanup.policy`, ...); ignored by the embedded cluster.
    public var configs: [String: String]

    /// A topic specification.
    public init(name: String, partitions: Int, replicationFactor: Int = 1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}
