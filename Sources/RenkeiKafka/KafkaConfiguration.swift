/// Settings shared by the producer, the consumer and the admin client.
///
/// Every field has a documented default; ``librdkafkaProperties(for:)`` maps them to librdkafka properties in one
/// place, and ``additionalConfig`` passes raw librdkafka keys for anything not modelled here (it wins over the
/// modelled fields). Invalid values surface as a ``KafkaError`` naming the key when a client is created.
public struct KafkaConfiguration: Sendable {
    /// Brokers to bootstrap from, as `host:port` (`bootstrap.servers`). Use ``EmbeddedKafka/configuration``
    /// for the in-process cluster.
    public var bootstrapServers: [String]
    /// Client id sent to the brokers (`client.id`). Default `renkei`.
    public var clientID: String = "renkei"
    /// Transport security (`security.protocol`). Default ``SecurityProtocol/plaintext``.
    public var securityProtocol: SecurityProtocol = .plaintext
    /// TLS files and checks, used with ``SecurityProtocol/ssl`` and ``SecurityProtocol/saslSSL`` (libssl).
    public var tls: TLSOptions = TLSOptions()
    /// SASL credentials, used with the `sasl*` protocols. Default none.
    public var sasl: SASLOptions? = nil
    /// Network request timeout towards brokers (`socket.timeout.ms`). Default 30 s.
    public var socketTimeout: Duration = .seconds(30)
    /// How long blocking operations of this layer (metadata, watermarks, commit, transaction calls,
    /// topic creation) wait before failing with ``KafkaError/Code/timedOut``. Default 30 s.
    public var operationTimeout: Duration = .seconds(30)
    /// librdkafka log level 0–7 (`log_level`); logs go to the client's `Logger`. Default 6 (info).
    public var logLevel: Int = 6
    /// Producer settings.
    public var producer: ProducerOptions = ProducerOptions()
    /// Consumer settings.
    public var consumer: ConsumerOptions = ConsumerOptions()
    /// Raw librdkafka properties applied last, overriding the fields above. Unknown keys or bad values fail
    /// client creation with an error naming the key.
    public var additionalConfig: [String: String] = [:]

    /// A configuration for the given brokers with every other field at its default.
    public init(bootstrapServers: [String]) {
        self.bootstrapServers = bootstrapServers
    }

    /// `security.protocol` values.
    public enum SecurityProtocol: String, Sendable, CaseIterable {
        /// No TLS, no SASL.
        case plaintext
        /// TLS.
        case ssl
        /// SASL without TLS.
        case saslPlaintext = "sasl_plaintext"
        /// SASL over TLS.
        case saslSSL = "sasl_ssl"
    }

    /// TLS settings (`ssl.*`). Paths are PEM files.
    public struct TLSOptions: Sendable {
        /// CA bundle to verify brokers with (`ssl.ca.location`). Default: the system store.
        public var caLocation: String? = nil
        /// Client certificate for mutual TLS (`ssl.certificate.location`).
        public var certificateLocation: String? = nil
        /// Client private key (`ssl.key.location`).
        public var keyLocation: String? = nil
        /// Password of the client key (`ssl.key.password`).
        public var keyPassword: String? = nil
        /// Check that the broker certificate matches its host name
        /// (`ssl.endpoint.identification.algorithm=https`). Default `true`.
        public var verifyHostname: Bool = true
        /// Default TLS settings.
        public init() {}
    }

    /// SASL settings (`sasl.*`).
    public struct SASLOptions: Sendable {
        /// `sasl.mechanisms` values.
        public enum Mechanism: String, Sendable {
            /// SASL/PLAIN.
            case plain = "PLAIN"
            /// SCRAM-SHA-256.
            case scramSHA256 = "SCRAM-SHA-256"
            /// SCRAM-SHA-512.
            case scramSHA512 = "SCRAM-SHA-512"
        }
        /// The mechanism (`sasl.mechanisms`).
        public var mechanism: Mechanism
        /// User name (`sasl.username`).
        public var username: String
        /// Password (`sasl.password`).
        public var password: String
        /// SASL credentials.
        public init(mechanism: Mechanism, username: String, password: String) {
            self.mechanism = mechanism
            self.username = username
            self.password = password
        }
    }

    /// Producer settings. The producer is always idempotent with `acks=all`.
    public struct ProducerOptions: Sendable {
        /// How long the producer waits to fill a batch (`linger.ms`). Default 5 ms.
        public var linger: Duration = .milliseconds(5)
        /// Most messages in one request batch (`batch.num.messages`). Default 10 000.
        public var maxBatchMessages: Int = 10_000
        /// Most messages in flight (enqueued but not yet acknowledged) before ``KafkaProducer/send(_:)``
        /// waits for acknowledgements: the back-pressure bound (`queue.buffering.max.messages`). Default 100 000.
        public var maxInFlightMessages: Int = 100_000
        /// Most kilobytes in flight before sends wait (`queue.buffering.max.kbytes`). Default 256 MiB.
        public var maxInFlightKilobytes: Int = 262_144
        /// How long a message may wait for acknowledgement before it fails with
        /// ``KafkaError/Code/messageTimedOut`` (`message.timeout.ms`). Default 60 s.
        public var deliveryTimeout: Duration = .seconds(60)
        /// Compression codec (`compression.codec`). Default none.
        public var compression: Compression = .none
        /// Makes the producer transactional (`transactional.id`); required for ``KafkaProducer/transaction(_:)``.
        /// Default none.
        public var transactionalID: String? = nil
        /// Broker-side limit of one transaction (`transaction.timeout.ms`). Default 60 s.
        public var transactionTimeout: Duration = .seconds(60)
        /// How long a graceful shutdown waits for in-flight messages. Default 10 s.
        public var shutdownFlushTimeout: Duration = .seconds(10)
        /// Default producer settings.
        public init() {}

        /// `compression.codec` values.
        public enum Compression: String, Sendable {
            /// No compression.
            case none
            /// gzip.
            case gzip
            /// Snappy.
            case snappy
            /// LZ4.
            case lz4
            /// Zstandard.
            case zstd
        }
    }

    /// Consumer settings.
    public struct ConsumerOptions: Sendable {
        /// Consumer group (`group.id`); required for ``KafkaConsumer/subscribe(topics:)`` and commits. Without it
        /// the consumer reads by explicit assignment only (``KafkaConsumer/assign(_:)``). Default none.
        public var groupID: String? = nil
        /// Whether records of open or aborted transactions are hidden (`isolation.level`). Default
        /// ``IsolationLevel/readCommitted``.
        public var isolationLevel: IsolationLevel = .readCommitted
        /// Where a group starts when it has no committed offset (`auto.offset.reset`). Default
        /// ``OffsetReset/earliest``, so a new receiver sees everything still retained.
        public var offsetReset: OffsetReset = .earliest
        /// Group session timeout (`session.timeout.ms`). Default 10 s.
        public var sessionTimeout: Duration = .seconds(10)
        /// Group heartbeat interval (`heartbeat.interval.ms`). Default 1 s.
        public var heartbeatInterval: Duration = .seconds(1)
        /// Longest time between two batch requests before the member is evicted (`max.poll.interval.ms`).
        /// Default 300 s.
        public var maxPollInterval: Duration = .seconds(300)
        /// Most messages handed to the application in one batch. Default 4096.
        public var maxBatchSize: Int = 4096
        /// How long the poll thread waits for the first message of a batch before looking again. Default 100 ms.
        public var batchWait: Duration = .milliseconds(100)
        /// Batches fetched ahead of the application; the poll thread stops fetching when they are all full
        /// (back-pressure). Default 2.
        public var bufferedBatches: Int = 2
        /// Most kilobytes librdkafka prefetches per partition queue (`queued.max.messages.kbytes`).
        /// Default 64 MiB.
        public var prefetchKilobytes: Int = 65_536
        /// On revocation, how long the consumer waits for batches already handed out to be marked processed
        /// before committing and giving the partitions up. Default 10 s.
        public var revokeDrainTimeout: Duration = .seconds(10)
        /// Whether the consumer notes when it reaches the end of a partition (`enable.partition.eof`), readable
        /// with the position through ``KafkaConsumer/reachedOffset(of:)``. Bounded reads need it: on a real broker the last offsets of a
        /// partition are often transaction markers, compacted or aborted records that are never handed out, so
        /// "the record at the end" may never come. Default `false`.
        public var reportsPartitionEnd: Bool = false
        /// How long a broker may hold a fetch that finds no new records (`fetch.wait.max.ms`). A real broker
        /// answers as soon as records arrive; librdkafka's mock broker always waits this long, so readers that
        /// follow a topic's head on the embedded cluster set it low. Default 500 ms.
        public var fetchWait: Duration = .milliseconds(500)
        /// Default consumer settings.
        public init() {}

        /// `isolation.level` values.
        public enum IsolationLevel: String, Sendable {
            /// Only committed transactional records.
            case readCommitted = "read_committed"
            /// Everything, including records of aborted transactions.
            case readUncommitted = "read_uncommitted"
        }

        /// `auto.offset.reset` values.
        public enum OffsetReset: String, Sendable {
            /// The oldest retained offset.
            case earliest
            /// The end of the log.
            case latest
            /// Fail with an error.
            case error
        }
    }
}
