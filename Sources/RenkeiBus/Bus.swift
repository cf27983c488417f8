public import Logging
import RenkeiCodec
public import RenkeiContracts
import RenkeiKafka

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
    let chain: HistoryChain
    let historyGate = SerialGate()
    let provideGroups = ProvideGroups()
    let logger: Logger

    private init(
        contracts: ContractSet, configuration: BusConfiguration, routes: [String: LinkageRoute],
        producer: KafkaProducer, chunkProducer: KafkaProducer, admin: KafkaAdmin, chain: HistoryChain,
        logger: Logger
    ) {
        self.contracts = contracts
        self.configuration = configuration
        self.routes = routes
        self.producer = producer
        self.chunkProducer = chunkProducer
        self.admin = admin
        self.chain = chain
        self.logger = logger
    }

    /// Connects to the cluster, creates the bus's topics (when configured to), and recovers this instance's
    /// history chain.
    public static func start(
        contracts: ContractSet, configuration: BusConfiguration, logger: Logger
    ) async throws
        -> Bus
    {
        var schemas: [LayoutReference: RecordSchema] = [:]
        var routes: [String: LinkageRoute] = [:]
        for linkage in contracts.linkages where linkage.mode == .provide {
            routes[linkage.id] = LinkageRoute(linkage: linkage, contracts: contracts, schemas: &schemas)
        }
        var kafka = configuration.kafka
        kafka.producer.transactionalID = "renkei-\(configuration.instance)"
        kafka.producer.compression = configuration.compression
        let admin = try KafkaAdmin.make(configuration: kafka, logger: logger)
        if configuration.createsTopics {
            try await createTopics(for: routes.values, configuration: configuration, admin: admin)
        }
        let head = try await HistoryReader(configuration: kafka, logger: logger, admin: admin)
            .head(of: configuration.instance)
        let producer = try await KafkaProducer.make(configuration: kafka, logger: logger)
        var chunks = kafka
        chunks.producer.transactionalID = nil
        let chunkProducer: KafkaProducer
        do {
            chunkProducer = try await KafkaProducer.make(configuration: chunks, logger: logger)
        } catch {
            await producer.shutdown()
            throw error
        }
        logger.info(
            "bus started",
            metadata: [
                "renkei.instance": "\(configuration.instance)", "renkei.linkages": "\(routes.count)",
                "renkei.history.sequence": "\(head.sequence)",
            ])
        return Bus(
            contracts: contracts, configuration: configuration, routes: routes, producer: producer,
            chunkProducer: chunkProducer, admin: admin, chain: HistoryChain(id: configuration.instance, head: head),
            logger: logger)
    }

    /// Flushes what is in flight and disconnects.
    public func shutdown() async {
        await chunkProducer.shutdown()
        await producer.shutdown()
    }

    private static func createTopics(
        for routes: some Sequence<LinkageRoute>, configuration: BusConfiguration, admin: KafkaAdmin
    ) async throws {
        let replication = configuration.replicationFactor
        var topics = [KafkaTopicSpecification(name: BusTopics.history, partitions: 1, replicationFactor: replication)]
        for route in routes {
            topics.append(
                KafkaTopicSpecification(
                    name: route.ingestDeadLetterTopic, partitions: 1, replicationFactor: replication))
            for destination in route.destinations {
                topics += [
                    KafkaTopicSpecification(
                        name: destination.topic, partitions: configuration.partitions, replicationFactor: replication),
                    KafkaTopicSpecification(
                        name: destination.bulkTopic, partitions: configuration.bulkPartitions,
                        replicationFactor: replication),
                    KafkaTopicSpecification(
                        name: destination.deadLetterTopic, partitions: 1, replicationFactor: replication),
                ]
            }
        }
        try await admin.createTopics(topics)
    }

    func route(_ linkage: String) -> LinkageRoute? { routes[linkage] }

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
