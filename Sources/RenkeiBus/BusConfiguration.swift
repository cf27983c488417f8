public import RenkeiKafka
public import RenkeiStorage

/// How a bus instance runs.
public struct BusConfiguration: Sendable {
    /// The Kafka cluster (the embedded one's `configuration`, or a real cluster's).
    public var kafka: KafkaConfiguration
    /// This instance's name: its history chain, its transactional id and its reply topic derive from it. Give
    /// every instance of a deployment its own, stable across restarts.
    public var instance: String
    /// Partitions, replication, min ISR and retention of every topic class (``TopicPlan``). The default suits the
    /// embedded cluster (replication 1); use ``TopicSettings/cluster`` (3 and 2) or your own on a real cluster.
    public var topics: TopicSettings = .embedded
    /// Partitions of receiver and query topics (``TopicSettings/partitions``).
    public var partitions: Int {
        get { topics.partitions }
        set { topics.partitions = newValue }
    }
    /// Partitions of bulk topics (``TopicSettings/bulkPartitions``).
    public var bulkPartitions: Int {
        get { topics.bulkPartitions }
        set { topics.bulkPartitions = newValue }
    }
    /// Replication factor of every topic (``TopicSettings/replicationFactor``).
    public var replicationFactor: Int {
        get { topics.replicationFactor }
        set { topics.replicationFactor = newValue }
    }
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
    /// Most consumers that bounded reads (feed pages, transfer chunks, dead letters, history) share; a read waits
    /// for a free one. Each is a librdkafka client with its own threads, closed after a minute unused. At least 2.
    public var readerClients: Int = 4
    /// How long the followers of receiver topics (which wake long polls) let a broker hold an empty fetch. A real
    /// broker answers as soon as records are committed, so the default there is librdkafka's 500 ms; the
    /// embedded cluster always waits the full time, so on it the default is 10 ms. `nil` chooses.
    public var feedFetchWait: Duration? = nil
    /// Where this instance keeps its history index (`history.sqlite`, created with the directory when missing).
    /// `nil` keeps the index in memory, rebuilt from the history topic at every start: for tests and short runs.
    public var dataDirectory: String? = nil
    /// Whether to create the bus's topics at start (off where an operator manages topics).
    public var createsTopics: Bool = true
    /// Whether to refuse to start when the cluster's topics break the plan where it matters: history or
    /// dead-letter retention below the legal minimum, replication below the setting (``TopicPlan/CheckScope/start``).
    /// Skipped on the embedded cluster, which ignores topic configs.
    public var checksTopics: Bool = true
    /// How S3 storage locations are reached: endpoint, region, credentials (from the `AWS_*` environment unless
    /// set), addressing and part size. Contracts never carry credentials.
    public var s3: S3Settings = .fromEnvironment()
    /// How often file receivers of `event` linkages look for new records; what arrived meanwhile goes into one file.
    public var fileEventInterval: Duration = .seconds(5)
    /// How long a file delivery waits after a window failed (the storage kept refusing) before trying again.
    public var fileRetryInterval: Duration = .seconds(300)
    /// How often providers' inboxes are looked at for new files.
    public var inboxInterval: Duration = .seconds(5)

    public init(kafka: KafkaConfiguration, instance: String) {
        self.kafka = kafka
        self.instance = instance
    }
}
