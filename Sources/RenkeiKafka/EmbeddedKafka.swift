import CRdKafka
public import Logging
import Synchronization

/// librdkafka's in-process mock Kafka cluster: real Kafka protocol on loopback TCP, in memory.
///
/// Other clients, in this process or another, connect through ``bootstrapServers``. It keeps data only in memory
/// and only a few MiB per partition, does not answer CreateTopics (use ``createTopic(_:partitions:replicationFactor:)``
/// or ``KafkaAdmin``, which routes here), auto-creates unknown topics with 4 partitions, and does not hide aborted
/// transactional records from `read_committed` consumers (librdkafka 2.0.2). Fault injection: ``setBrokerDown(_:)``,
/// ``setBrokerUp(_:)``, ``setRoundTripTime(_:broker:)``, ``injectRequestErrors(_:for:)``.
public final class EmbeddedKafka: Sendable {
    private let handle: MockHandle
    /// The broker ids, `1...brokerCount`.
    public let brokerIDs: [Int32]
    /// Comma-separated `host:port` list of the brokers.
    public let bootstrapServers: String
    private let isShutDown = Atomic<Bool>(false)

    /// The mock cluster and the client that hosts it.
    final class MockHandle: @unchecked Sendable {
        // Safe: the mock cluster API is thread-safe (every call is a locked operation on the cluster thread); the
        // pointers never change and are destroyed once, in deinit.
        let client: OpaquePointer
        let cluster: OpaquePointer
        init(client: OpaquePointer, cluster: OpaquePointer) {
            self.client = client
            self.cluster = cluster
        }
        deinit {
            rd_kafka_mock_cluster_destroy(cluster)
            rd_kafka_destroy(client)
        }
    }

    private init(handle: MockHandle, brokers: Int) {
        self.handle = handle
        self.brokerIDs = (1...brokers).map(Int32.init)
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(handle.cluster))
    }

    /// Starts a cluster of `brokers` brokers on loopback. It runs until ``shutdown()`` or until released.
    public static func start(
        brokers: Int = 1, logger: Logger = Logger(label: "renkei.kafka.embedded")
    ) throws(KafkaError) -> EmbeddedKafka {
        guard brokers >= 1 else { throw .configuration(key: "brokers", reason: "\(brokers) must be at least 1") }
        let conf = rd_kafka_conf_new()!
        var errorText = [CChar](repeating: 0, count: 512)
        rd_kafka_conf_set(conf, "log_level", "3", &errorText, errorText.count)
        guard let client = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(code: .fatal, message: "cannot create the embedded cluster's host client")
        }
        guard let cluster = rd_kafka_mock_cluster_new(client, Int32(brokers)) else {
            rd_kafka_destroy(client)
            throw KafkaError(code: .fatal, message: "cannot start the embedded Kafka cluster")
        }
        let embedded = EmbeddedKafka(handle: MockHandle(client: client, cluster: cluster), brokers: brokers)
        // Only the brokers' listening sockets have these ports yet; the connections they accept inherit the option.
        let ports = embedded.bootstrapServers.split(separator: ",").compactMap { $0.split(separator: ":").last }
        LoopbackNoDelay.apply(toLocalPorts: Set(ports.compactMap { UInt16($0) }))
        EmbeddedKafkaRegistry.register(embedded)
        logger.warning(
            "embedded Kafka started: IN MEMORY ONLY, data is lost when the process ends",
            metadata: ["renkei.kafka.bootstrap": "\(embedded.bootstrapServers)", "renkei.kafka.brokers": "\(brokers)"])
        return embedded
    }

    deinit {
        EmbeddedKafkaRegistry.unregister(bootstrapServers)
    }

    /// Whether an embedded cluster of this process serves any of `servers`.
    public static func isHosted(by servers: [String]) -> Bool {
        EmbeddedKafkaRegistry.cluster(for: servers) != nil
    }

    /// A configuration pointing at this cluster, with every other field at its default.
    public var configuration: KafkaConfiguration {
        KafkaConfiguration(bootstrapServers: bootstrapServers.split(separator: ",").map(String.init))
    }

    /// Creates a topic (the mock cluster ignores topic configs). Creating an existing topic is not an error.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        guard partitions >= 1 else {
            throw .configuration(key: "partitions", reason: "\(partitions) must be at least 1")
        }
        guard replicationFactor >= 1 && replicationFactor <= brokerIDs.count else {
            throw .configuration(
                key: "replication.factor", reason: "\(replicationFactor) must be between 1 and \(brokerIDs.count)")
        }
        let code = rd_kafka_mock_topic_create(handle.cluster, name, Int32(partitions), Int32(replicationFactor))
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR || code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS else {
            throw KafkaError(code: KafkaError.Code(code), context: "create topic \(name)")
        }
    }

    /// Disconnects broker `id` and refuses new connections until ``setBrokerUp(_:)``.
    public func setBrokerDown(_ id: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_down(handle.cluster, id), "set broker \(id) down")
    }

    /// Lets broker `id` accept connections again.
    public func setBrokerUp(_ id: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_up(handle.cluster, id), "set broker \(id) up")
    }

    /// Adds `latency` to every response of broker `id`.
    public func setRoundTripTime(_ latency: Duration, broker id: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_rtt(handle.cluster, id, latency.milliseconds), "set RTT of broker \(id)")
    }

    /// Makes the next requests of kind `api` (on any broker) fail, one error per request, in order.
    public func injectRequestErrors(_ errors: [KafkaError.Code], for api: KafkaRequestKind) {
        var codes = errors.map(\.cValue)
        rd_kafka_mock_push_request_errors_array(handle.cluster, api.rawValue, codes.count, &codes)
    }

    /// Removes injected errors not yet used for requests of kind `api`.
    public func clearRequestErrors(for api: KafkaRequestKind) {
        rd_kafka_mock_clear_request_errors(handle.cluster, api.rawValue)
    }

    /// Makes every request for `topic` fail with `error` (``KafkaError/Code/noError`` clears it).
    public func setTopicError(_ topic: String, _ error: KafkaError.Code) {
        rd_kafka_mock_topic_set_error(handle.cluster, topic, error.cValue)
    }

    /// Moves leadership of a partition to broker `id`.
    public func setPartitionLeader(topic: String, partition: Int32, broker id: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_partition_set_leader(handle.cluster, topic, partition, id), "set leader")
    }

    /// Stops the cluster: connected clients see their brokers disappear. Calling it again does nothing.
    /// The memory is released when the last reference goes.
    public func shutdown() {
        guard !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        EmbeddedKafkaRegistry.unregister(bootstrapServers)
        for id in brokerIDs { _ = rd_kafka_mock_broker_set_down(handle.cluster, id) }
    }

    /// Waits up to `timeout` until no Kafka client of this process is open (``KafkaClients/openCount``), then
    /// stops the cluster (``shutdown()``): a client that outlives its brokers logs their loss as errors.
    public func shutdown(afterClientsClose timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while KafkaClients.openCount > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        shutdown()
    }

    private func check(_ code: rd_kafka_resp_err_t, _ context: String) throws(KafkaError) {
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: KafkaError.Code(code), context: context)
        }
    }
}

/// Kafka protocol request kinds (API keys), for injecting errors.
public struct KafkaRequestKind: Sendable, Hashable, RawRepresentable {
    /// The API key.
    public var rawValue: Int16
    /// Wraps an API key.
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// Produce.
    public static let produce = KafkaRequestKind(rawValue: 0)
    /// Fetch.
    public static let fetch = KafkaRequestKind(rawValue: 1)
    /// ListOffsets.
    public static let listOffsets = KafkaRequestKind(rawValue: 2)
    /// Metadata.
    public static let metadata = KafkaRequestKind(rawValue: 3)
    /// OffsetCommit.
    public static let offsetCommit = KafkaRequestKind(rawValue: 8)
    /// OffsetFetch.
    public static let offsetFetch = KafkaRequestKind(rawValue: 9)
    /// FindCoordinator.
    public static let findCoordinator = KafkaRequestKind(rawValue: 10)
    /// JoinGroup.
    public static let joinGroup = KafkaRequestKind(rawValue: 11)
    /// Heartbeat.
    public static let heartbeat = KafkaRequestKind(rawValue: 12)
    /// SyncGroup.
    public static let syncGroup = KafkaRequestKind(rawValue: 14)
    /// InitProducerId.
    public static let initProducerID = KafkaRequestKind(rawValue: 22)
    /// AddPartitionsToTxn.
    public static let addPartitionsToTransaction = KafkaRequestKind(rawValue: 24)
    /// EndTxn (commit or abort).
    public static let endTransaction = KafkaRequestKind(rawValue: 26)
}

/// The embedded clusters of this process by bootstrap string, so ``KafkaAdmin`` can create topics through the
/// mock API behind the same call.
enum EmbeddedKafkaRegistry {
    private struct WeakCluster: @unchecked Sendable {
        // Safe: only read and written under the registry mutex; the referent is Sendable.
        weak var cluster: EmbeddedKafka?
    }

    private static let clusters = Mutex<[String: WeakCluster]>([:])

    static func register(_ cluster: EmbeddedKafka) {
        clusters.withLock { $0[cluster.bootstrapServers] = WeakCluster(cluster: cluster) }
    }

    static func unregister(_ bootstrap: String) {
        clusters.withLock { _ = $0.removeValue(forKey: bootstrap) }
    }

    /// The embedded cluster serving any of `servers`, if one runs in this process.
    static func cluster(for servers: [String]) -> EmbeddedKafka? {
        clusters.withLock { clusters in
            for (bootstrap, entry) in clusters {
                let addresses = Set(bootstrap.split(separator: ",").map(String.init))
                if servers.contains(where: addresses.contains) { return entry.cluster }
            }
            return nil
        }
    }
}
