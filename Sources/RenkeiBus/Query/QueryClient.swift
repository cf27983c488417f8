import Foundation
import Logging
import RenkeiContracts
import RenkeiKafka
import Synchronization

/// Asks queries (照会) for this bus instance and waits for their answers on the instance's own reply topic.
///
/// The reply topic is read from its end as it was at start, by assignment (no group), so the first request can
/// never be answered before the client listens. A reply is handed only to the request whose correlation id and
/// request hash it carries; late or foreign replies are logged and dropped. Keep ``run()`` running (the gateway
/// runs it as a service) and call ``shutdown()`` at the end.
public final class QueryClient: Sendable {
    private let bus: Bus
    private let producer: KafkaProducer
    private let consumer: KafkaConsumer
    private let routes: [String: QueryRoute]
    private let pending = Mutex<[String: PendingQuery]>([:])
    let replyTopic: String

    private init(bus: Bus, producer: KafkaProducer, consumer: KafkaConsumer, routes: [String: QueryRoute]) {
        self.bus = bus
        self.producer = producer
        self.consumer = consumer
        self.routes = routes
        self.replyTopic = BusTopics.replies(instance: bus.configuration.instance)
    }

    /// Starts listening for replies on this instance's reply topic (created with the bus's other topics, from
    /// its ``TopicPlan``).
    public static func start(bus: Bus) async throws -> QueryClient {
        let routes = QueryResponder.routes(bus.contracts)
        let replyTopic = BusTopics.replies(instance: bus.configuration.instance)
        var kafka = bus.configuration.kafka
        kafka.producer.transactionalID = nil
        kafka.consumer.groupID = nil
        let producer = try await KafkaProducer.make(configuration: kafka, logger: bus.logger)
        let consumer = try KafkaConsumer.make(configuration: kafka, logger: bus.logger)
        let ends = try await TopicReader(bus: bus).watermarks(replyTopic)
        let positions =
            ends.isEmpty
            ? [KafkaPartitionOffset(topic: replyTopic, partition: 0, offset: .offset(0))]
            : ends.map { KafkaPartitionOffset(topic: replyTopic, partition: $0.key, offset: .offset($0.value.high)) }
        try consumer.assign(positions)
        return QueryClient(bus: bus, producer: producer, consumer: consumer, routes: routes)
    }

    /// Asks the provider of `linkage` for the records with `key` (or meeting `conditions`, item key or name →
    /// value) on behalf of `asker`, and returns them projected to the asker's items. Gives up after `timeout`.
    /// `requestPurpose`, when given, travels with the question to the provider and into the query's history entry.
    public func ask(
        linkage linkageID: String, asker: String, key: String?, conditions: [String: String] = [:],
        timeout: Duration, requestPurpose: RequestPurpose? = nil
    ) async throws(QueryError) -> QueryResult {
        guard let linkage = bus.contracts.linkage(linkageID) else {
            throw QueryError(.unknownLinkage, "There is no linkage `\(linkageID)`.")
        }
        guard let route = routes[linkageID] else {
            throw QueryError(.notAQueryLinkage, "The linkage `\(linkageID)` provides records; it takes no queries.")
        }
        guard let visible = route.visibleItems[asker] else {
            throw QueryError(.notAReceiver, "The system `\(asker)` is not a receiver of linkage `\(linkageID)`.")
        }
        var resolved: [String: String] = [:]
        for (item, value) in conditions {
            guard let index = route.schema.layout.index(of: item),
                visible.contains(route.schema.layout.items[index].key)
            else {
                throw QueryError(
                    .invalidQuestion, "The condition item `\(item)` is not among the items `\(asker)` may receive.")
            }
            resolved[route.schema.layout.items[index].key] = value
        }
        guard key != nil || !resolved.isEmpty else {
            throw QueryError(.invalidQuestion, "A query names a key or at least one condition.")
        }
        let started = ContinuousClock.now
        let deadline = Date().addingTimeInterval(Self.seconds(timeout))
        let request = QueryRequest(
            linkage: linkageID, asker: asker, key: key, conditions: resolved, deadline: deadline, replyTo: replyTopic,
            requestPurpose: requestPurpose?.text, contractVersion: route.contractVersion)
        pending.withLock { $0[request.correlationID] = PendingQuery(hash: request.hash) }
        do {
            let report = try await producer.send([request.message(source: Envelope.source(system: asker))])
            try report.throwIfAnyFailed()
        } catch {
            _ = pending.withLock { $0.removeValue(forKey: request.correlationID) }
            throw QueryError(.broker, "The query could not be sent: \(error).")
        }
        let reply = await wait(for: request.correlationID, timeout: timeout - (ContinuousClock.now - started))
        var entry = HistoryEntry(
            kind: .query, linkage: linkageID, contract: linkage.layout.description, provider: linkage.provider,
            receiver: asker, keys: key.map { [$0] } ?? [],
            items: linkage.receivers.first { $0.system == asker }?.items, events: [request.correlationID],
            outcome: "ok", requestPurpose: request.requestPurpose, contractVersion: route.contractVersion)
        let outcome: Result<QueryResult, QueryError>
        switch reply?.status {
        case nil:
            entry.outcome = "timeout"
            entry.reason = QueryError.Code.timeout.rawValue
            bus.logger.notice(
                "query timed out",
                metadata: ["renkei.linkage": "\(linkageID)", "renkei.correlation": "\(request.correlationID)"])
            outcome = .failure(
                QueryError(
                    .timeout, "The provider `\(linkage.provider)` did not answer within \(Self.seconds(timeout)) s."))
        case QueryReplyStatus.ok?:
            entry.recordCount = reply?.records.count ?? 0
            outcome = .success(QueryResult(correlationID: request.correlationID, records: reply?.records ?? []))
        case QueryReplyStatus.invalidAnswer?:
            entry.outcome = "failed"
            entry.reason = QueryError.Code.invalidAnswer.rawValue
            outcome = .failure(
                QueryError(.invalidAnswer, "The provider's answer does not conform to layout \(linkage.layout)."))
        default:
            entry.outcome = "failed"
            entry.reason = QueryError.Code.providerError.rawValue
            outcome = .failure(
                QueryError(.providerError, "The provider `\(linkage.provider)` could not answer the query."))
        }
        await bus.record([entry])
        return try outcome.get()
    }

    /// Reads replies until ``shutdown()``.
    public func run() async throws {
        while let batch = try await consumer.nextBatch() {
            for message in batch { deliver(TopicReader.Message(message)) }
        }
    }

    /// Stops listening and disconnects; ``run()`` returns.
    public func shutdown() async {
        await consumer.shutdown()
        await producer.shutdown()
    }

    private func deliver(_ message: TopicReader.Message) {
        guard let correlationID = message.header(EnvelopeHeader.correlationID) else { return }
        let hash = message.header(QueryHeader.requestHash)
        let status = message.header(QueryHeader.status) ?? QueryReplyStatus.providerError
        let records = QueryReply.records(message.value)
        let continuation: CheckedContinuation<QueryReply?, Never>?? = pending.withLock { table in
            guard var query = table[correlationID], query.hash == hash else { return nil }
            let reply = QueryReply(status: status, records: records)
            if let waiting = query.continuation {
                table[correlationID] = nil
                return .some(waiting)
            }
            query.arrived = reply
            table[correlationID] = query
            return .some(nil)
        }
        switch continuation {
        case .none:
            bus.logger.notice(
                "late or unmatched query reply dropped", metadata: ["renkei.correlation": "\(correlationID)"])
        case .some(.some(let waiting)):
            waiting.resume(returning: QueryReply(status: status, records: records))
        case .some(.none):
            break
        }
    }

    private func wait(for correlationID: String, timeout: Duration) async -> QueryReply? {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                if (try? await Task.sleep(for: max(timeout, .zero))) != nil { expire(correlationID) }
            }
            let reply = await withCheckedContinuation { (continuation: CheckedContinuation<QueryReply?, Never>) in
                let immediate: QueryReply?? = pending.withLock { table in
                    guard var query = table[correlationID] else { return .some(nil) }
                    if let arrived = query.arrived {
                        table[correlationID] = nil
                        return .some(arrived)
                    }
                    query.continuation = continuation
                    table[correlationID] = query
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
            group.cancelAll()
            return reply
        }
    }

    private func expire(_ correlationID: String) {
        let waiting = pending.withLock { table in table.removeValue(forKey: correlationID)?.continuation }
        waiting?.resume(returning: nil)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

private struct PendingQuery: Sendable {
    var hash: String
    var continuation: CheckedContinuation<QueryReply?, Never>?
    var arrived: QueryReply?
}

struct QueryReply: Sendable {
    var status: String
    var records: [[UInt8]]

    /// Records of a reply value: JSON Lines, one projected object per line.
    static func records(_ value: [UInt8]) -> [[UInt8]] {
        value.split(separator: 0x0A).map(Array.init)
    }
}

enum QueryReplyStatus {
    static let ok = "ok"
    static let providerError = "provider-error"
    static let invalidAnswer = "invalid-answer"
}
