import Foundation
import Logging
import RenkeiContracts
import RenkeiKafka

/// Answers the queries (照会) of one linkage for its provider: reads the linkage's request topic in a consumer
/// group (so instances share the work), asks `handler` — the provider's registered query endpoint, or Swift code —
/// validates the answer against the layout, projects it to the asker's items and sends it to the asker's reply
/// topic with the request's correlation id and hash. Requests past their deadline are dropped unanswered.
///
/// The group continues from its committed offset, and a group without one starts at the oldest retained request: a
/// question asked before the provider's responder joined (a provider starting, a rebalance) is still answered while
/// its asker waits, and questions whose askers gave up are passed over without calling the handler.
public final class QueryResponder: Sendable {
    /// Answers one question with the provider's records as JSON (an object, an array of objects, or objects one
    /// after another), items by field key or item name; an empty array when nothing matches.
    public typealias Handler = @Sendable (QueryRequest) async throws -> [UInt8]

    private let bus: Bus
    private let route: QueryRoute
    private let handler: Handler
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer

    private init(
        bus: Bus, route: QueryRoute, handler: @escaping Handler, consumer: KafkaConsumer, producer: KafkaProducer
    ) {
        self.bus = bus
        self.route = route
        self.handler = handler
        self.consumer = consumer
        self.producer = producer
    }

    /// The query linkages of `contracts`.
    static func routes(_ contracts: ContractSet) -> [String: QueryRoute] {
        var routes: [String: QueryRoute] = [:]
        for linkage in contracts.linkages where linkage.mode == .query {
            routes[linkage.id] = QueryRoute(linkage: linkage, contracts: contracts)
        }
        return routes
    }

    /// A responder for query linkage `linkage`, joining the group `renkei-query.<linkage>`.
    public static func start(bus: Bus, linkage: String, handler: @escaping Handler) async throws -> QueryResponder {
        guard let found = bus.contracts.linkage(linkage),
            let route = QueryRoute(linkage: found, contracts: bus.contracts)
        else { throw QueryError(.notAQueryLinkage, "The linkage `\(linkage)` is not a query linkage.") }
        var kafka = bus.configuration.kafka
        kafka.producer.transactionalID = nil
        kafka.consumer.groupID = ConsumerGroups.queries(linkage: linkage)
        // Said here rather than left to the default: starting at the end would lose every question asked before the
        // group first joined, and their askers would time out.
        kafka.consumer.offsetReset = .earliest
        let producer = try await KafkaProducer.make(configuration: kafka, logger: bus.logger)
        let consumer = try KafkaConsumer.make(configuration: kafka, logger: bus.logger)
        try consumer.subscribe(topics: [BusTopics.queries(linkage: linkage)])
        return QueryResponder(bus: bus, route: route, handler: handler, consumer: consumer, producer: producer)
    }

    /// Answers requests until ``shutdown()``.
    public func run() async throws {
        while let batch = try await consumer.nextBatch() {
            let requests = batch.map { TopicReader.Message($0) }
            await withTaskGroup(of: Void.self) { group in
                for message in requests { group.addTask { await self.answer(message) } }
            }
            consumer.markProcessed(batch)
            try? await consumer.commit(batch)
        }
    }

    /// Leaves the group and disconnects; ``run()`` returns.
    public func shutdown() async {
        await consumer.shutdown()
        await producer.shutdown()
    }

    private func answer(_ message: TopicReader.Message) async {
        guard let request = QueryRequest(message: message) else {
            bus.logger.warning(
                "unreadable query request dropped",
                metadata: ["renkei.topic": "\(message.topic)", "renkei.offset": "\(message.offset)"])
            return
        }
        let metadata: Logger.Metadata = [
            "renkei.linkage": "\(request.linkage)", "renkei.correlation": "\(request.correlationID)",
        ]
        guard request.deadline > Date() else {
            bus.logger.notice("query past its deadline dropped unanswered", metadata: metadata)
            return
        }
        var status = QueryReplyStatus.ok
        var records: [[UInt8]] = []
        do {
            let answer = try await handler(request)
            if let projected = route.project(answer, for: request) {
                records = projected
            } else {
                status = QueryReplyStatus.invalidAnswer
                bus.logger.warning("the provider's query answer does not conform to the layout", metadata: metadata)
            }
        } catch {
            status = QueryReplyStatus.providerError
            bus.logger.warning(
                "the provider could not answer a query",
                metadata: metadata.merging(["renkei.error": "\(error)"]) { a, _ in a })
        }
        let envelope = Envelope(
            source: Envelope.source(system: route.linkage.provider), type: .queryReply, subject: request.key,
            linkage: request.linkage, receiver: request.asker, correlationID: request.correlationID,
            requestPurpose: request.requestPurpose, contractVersion: route.contractVersion)
        var value: [UInt8] = []
        for record in records { value += record + [0x0A] }
        let reply = KafkaOutgoingMessage(
            topic: request.replyTo, key: Array(request.correlationID.utf8), value: value,
            headers: envelope.headers + [
                KafkaHeader(name: QueryHeader.requestHash, utf8: request.hash),
                KafkaHeader(name: QueryHeader.status, utf8: status),
            ])
        do {
            try await producer.send([reply]).throwIfAnyFailed()
        } catch {
            bus.logger.error("a query reply could not be sent", metadata: metadata)
        }
    }
}
