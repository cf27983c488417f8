public import Logging
import RenkeiCodec
public import RenkeiContracts
import RenkeiKafka
import Synchronization

/// The bus: routes provided records to receivers according to the contracts, writes every linkage event to
/// the history, and keeps dead letters for operators.
///
/// One `Bus` per process and instance name. Its producer is transactional: each provide, with all its receiver
/// copies and history entries, is committed in one Kafka transaction, and transactions run one at a time;
/// provides that arrive while one runs share the next (``ProvideGroups``). Bulk chunks go through a second,
/// non-transactional producer beside it, so a streaming transfer holds neither the transaction nor the history
/// chain; only its manifests and history entries take one short transaction at the end.
public final class Bus: Sendable {
    public let contracts: ContractSet
    public let configuration: BusConfiguration
    let routes: [String: LinkageRoute]
    let producer: KafkaProducer
    /// Idempotent (`acks=all`) but not transactional: bulk chunks are written through it outside any transaction,
    /// and become reachable only through the manifests the transactional ``producer`` commits.
    let chunkProducer: KafkaProducer
    let admin: KafkaAdmin
    /// The long-lived consumers every bounded read of this bus borrows.
    let readers: ReaderPool
    /// The followers of receiver topics that long polls wait on.
    let feedTails: FeedTails
    let chain: HistoryChain
    /// The local index of the history topic, followed while the bus runs: operators' questions, replay checks.
    public let history: HistoryIndexer
    /// What the gateway instances of the cluster share (assertion ids, transfer status, maintenance mode).
    public let shared: SharedState
    let historyGate = SerialGate()
    let provideGroups = ProvideGroups()
    /// The file deliveries of this bus by `linkage/receiver`, created when first asked for.
    let fileDeliveryRegistry = Mutex<[String: FileDelivery]>([:])
    let logger: Logger

    private init(
        contracts: ContractSet, configuration: BusConfiguration, routes: [String: LinkageRoute],
        producer: KafkaProducer, chunkProducer: KafkaProducer, admin: KafkaAdmin, readers: ReaderPool,
        feedTails: FeedTails, chain: HistoryChain, history: HistoryIndexer, shared: SharedState, logger: Logger
    ) {
        self.contracts = contracts
        self.configuration = configuration
        self.routes = routes
        self.producer = producer
        self.chunkProducer = chunkProducer
        self.admin = admin
        self.readers = readers
        self.feedTails = feedTails
        self.chain = chain
        self.history = history
        self.shared = shared
        self.logger = logger
    }

    /// Connects to the cluster, creates the bus's topics (when configured to), opens the history index and
    /// recovers this instance's history chain from it (reading only the part of the topic not yet indexed), then
    /// follows the history topic to keep the index current.
    public static func start(
        contracts: ContractSet, configuration: BusConfiguration, logger: Logger
    ) async throws
        -> Bus
    {
        let routes = LinkageRoute.routes(for: contracts)
        let plan = try TopicPlan(
            routes: routes.values, queryLinkages: QueryResponder.routes(contracts).keys,
            instances: [configuration.instance], settings: configuration.topics)
        var kafka = configuration.kafka
        kafka.producer.transactionalID = "renkei-\(configuration.instance)"
        kafka.producer.compression = configuration.compression
        let admin = try KafkaAdmin.make(configuration: kafka, logger: logger)
        try await prepareTopics(plan, configuration: configuration, admin: admin, logger: logger)
        // At least two: a history sync holds one while it reads the key lists its entries reference with another.
        // The embedded cluster holds a fetch that finds nothing for its whole wait, and a bounded read ends on exactly
        // such a fetch (the partition's end): with the default 500 ms every history catch-up, dead-letter list and
        // key-list read took half a second there. A real broker answers at once; its setting stays.
        var reading = kafka
        if EmbeddedKafka.isHosted(by: kafka.bootstrapServers) { reading.consumer.fetchWait = .milliseconds(10) }
        let readers = ReaderPool(
            configuration: reading, logger: logger, maxClients: max(2, configuration.readerClients))
        let head: HistoryChain.Head
        let producer: KafkaProducer
        let chunkProducer: KafkaProducer
        let history: HistoryIndexer
        let shared: SharedState
        do {
            let index = try HistoryIndex.open(
                configuration.dataDirectory.map { .directory($0) } ?? .memory, topic: BusTopics.history,
                cluster: try await admin.clusterID(), logger: logger)
            history = HistoryIndexer(index: index, reader: TopicReader(pool: readers, admin: admin), logger: logger)
            head = try await history.recoverHead(of: configuration.instance)
            producer = try await KafkaProducer.make(configuration: kafka, logger: logger)
            var chunks = kafka
            chunks.producer.transactionalID = nil
            do {
                chunkProducer = try await KafkaProducer.make(configuration: chunks, logger: logger)
            } catch {
                await producer.shutdown()
                throw error
            }
            do {
                // Read to the end before the bus is handed out: an instance that starts serves with the state the
                // others have (assertions used, transfers, maintenance).
                shared = try await SharedState.start(
                    configuration: kafka, admin: admin, instance: configuration.instance,
                    embedded: EmbeddedKafka.isHosted(by: kafka.bootstrapServers), logger: logger)
            } catch {
                await chunkProducer.shutdown()
                await producer.shutdown()
                throw error
            }
        } catch {
            // Nothing started may outlive a failed start: its clients would hold threads and connections.
            await readers.shutdown()
            throw error
        }
        var tailConfiguration = kafka
        tailConfiguration.consumer.fetchWait =
            configuration.feedFetchWait
            ?? (EmbeddedKafka.isHosted(by: kafka.bootstrapServers) ? .milliseconds(10) : .milliseconds(500))
        logger.info(
            "bus started",
            metadata: [
                "renkei.instance": "\(configuration.instance)", "renkei.linkages": "\(routes.count)",
                "renkei.history.sequence": "\(head.sequence)",
            ])
        history.follow()
        return Bus(
            contracts: contracts, configuration: configuration, routes: routes, producer: producer,
            chunkProducer: chunkProducer, admin: admin, readers: readers,
            feedTails: FeedTails(configuration: tailConfiguration, admin: admin, logger: logger),
            chain: HistoryChain(id: configuration.instance, head: head), history: history, shared: shared,
            logger: logger)
    }

    /// Flushes what is in flight and disconnects.
    public func shutdown() async {
        // File deliveries hold the bus: let them go.
        fileDeliveryRegistry.withLock { $0 = [:] }
        await history.stop()
        await shared.shutdown()
        await feedTails.shutdown()
        await chunkProducer.shutdown()
        await producer.shutdown()
        await readers.shutdown()
        try? history.index.close()
    }

    /// librdkafka clients open in this process (producers, consumers, admin clients): constant in the number of
    /// requests served.
    public static var openKafkaClients: Int { KafkaClients.openCount }

    /// Creates the plan's missing topics (when configured to) and refuses to go on when the cluster breaks it
    /// where it matters (``TopicPlan/CheckScope/start``). On the embedded cluster it says once that topic configs
    /// are ignored there, and checks nothing.
    private static func prepareTopics(
        _ plan: TopicPlan, configuration: BusConfiguration, admin: KafkaAdmin, logger: Logger
    ) async throws {
        let kind = try await admin.clusterKind()
        if kind.isEmbedded { logger.warning("\(TopicPlan.embeddedNote(kind))") }
        if configuration.createsTopics { _ = try await plan.apply(admin: admin, kind: kind) }
        guard configuration.checksTopics, !kind.isEmbedded else { return }
        let findings = plan.check(try await plan.observe(admin: admin), scope: .start)
        if !findings.isEmpty { throw TopicPlanError(findings: findings) }
    }

    func route(_ linkage: String) -> LinkageRoute? { routes[linkage] }

    /// The version of linkage `linkage` as this bus loaded it, the value it writes in envelopes
    /// (``EnvelopeHeader/contractVersion``) and history entries; `nil` when the contracts have no such linkage.
    public func contractVersion(of linkage: String) -> String? {
        routes[linkage]?.contractVersion ?? contracts.linkage(linkage).map { LinkageRoute.contractVersion(of: $0) }
    }

    /// Runs `body` in one transaction together with `history`'s entries (sealed into this instance's chain), and
    /// moves the chain head when the transaction commits. The gate holds from reading the head to moving it, so
    /// concurrent provides cannot seal two entries onto the same predecessor.
    func commit<Result: Sendable>(
        history: (Result) -> [HistoryEntry], _ body: (KafkaTransaction) async throws -> Result
    ) async throws -> Result {
        try await historyGate.run {
            var newHead: HistoryChain.Head?
            let from = chain.current
            let result = try await producer.transaction { transaction in
                let result = try await body(transaction)
                let sealed = chain.seal(history(result))
                try await transaction.send(sealed.entries.map(Self.historyMessage))
                newHead = sealed.head
                return result
            }
            if let newHead, !chain.advance(from: from, to: newHead) {
                logger.critical(
                    "history chain head moved during a transaction", metadata: ["renkei.instance": "\(chain.id)"])
            }
            return result
        }
    }

    /// Writes history entries on their own (refusals), in a transaction of their own.
    func record(_ entries: [HistoryEntry]) async {
        do {
            _ = try await commit(history: { _ in entries }) { _ in () }
        } catch {
            logger.error(
                "could not write history entries",
                metadata: ["renkei.error": "\(error)", "renkei.entries": "\(entries.count)"])
        }
    }

    static func historyMessage(_ entry: HistoryEntry) -> KafkaOutgoingMessage {
        KafkaOutgoingMessage(
            topic: BusTopics.history, partition: 0, key: Array(entry.chain.utf8), value: HistoryHashing.encode(entry))
    }
}
