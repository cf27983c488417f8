public import RenkeiKafka

/// How a bus instance runs.
public struct BusConfiguration: Sendable {
    /// The Kafka cluster (the embedded one's `configuration`, or a real cluster's).
    public var kafka: KafkaConfiguration
    /// This instance's name: its history chain, its transactional id and its reply topic derive from it. Give
    /// every instance of a deployment its own, stable across restarts.
    public var instance: String
    /// Partitions of the topics the bus creates. Records of one key always go to one partition.
    public var partitions: Int = 4
    /// Partitions of bulk topics; more spread a large transfer over more of the cluster.
    public var bulkPartitions: Int = 16
    /// Replication factor of the topics the bus creates (3 on a production cluster).
    public var replicationFactor: Int = 1
    /// Bytes of JSON Lines per bulk chunk message. A chunk may exceed this by one record, and the whole message
    /// must stay under the broker's `message.max.bytes` (1 MB by default on Kafka and on the embedded cluster).
    public var bulkChunkBytes: Int = 512 * 1024
    /// The most invalid records one bulk transfer may quarantine (under `quarantine-invalid`); a transfer with
    /// more is refused and nothing of it delivered. Its dead letters are held until the transfer's closing
    /// transaction, so this bounds that memory and that transaction's size.
    public var maxQuarantinedPerTransfer: Int = 10_000
    /// The most record errors a refusal lists; the rest are counted.
    public var maxReportedErrors: Int = 1000
    /// Compression of everything the bus produces. lz4 costs little CPU and cuts the bytes a bulk transfer
    /// stores and sends to the brokers several times; on the in-process embedded cluster it is about as fast as
    /// none (bench/RESULTS.md).
    public var compression: KafkaConfiguration.ProducerOptions.Compression = .lz4
    /// Whether to create the bus's topics at start (off where an operator manages topics).
    public var createsTopics: Bool = true

    public init(kafka: KafkaConfiguration, instance: String) {
        self.kafka = kafka
        self.instance = instance
    }
}
