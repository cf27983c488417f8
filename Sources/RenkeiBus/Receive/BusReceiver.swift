import Foundation
import Logging
import RenkeiKafka
import Synchronization

/// A Swift receiver of one linkage (delivery `kafka`): consumes its outbound topic as a consumer group, in
/// batches; expands bulk transfers through their manifests; hands each record to the handler at most once per
/// de-duplication id; retries a failing handler by the linkage's ``RetryPolicy`` and, after its attempts, sends the
/// record to the receiver's dead-letter topic (``Bus/deadLetterDelivery(_:original:linkage:receiver:)``: with its
/// history entry, in one transaction). Offsets are committed only after a batch is handled.
public final class BusReceiver: Sendable {
    public let linkage: String
    public let receiver: String
    private let bus: Bus
    private let consumer: KafkaConsumer
    private let seen: Mutex<RecentIDs>
    private let logger: Logger

    /// A receiver in the consumer group `renkei.receiver.<linkage>.<receiver>` (or `group`).
    public init(bus: Bus, linkage: String, receiver: String, group: String? = nil, rememberedIDs: Int = 100_000) throws
    {
        guard let route = bus.route(linkage), route.destination(receiver) != nil else {
            throw ReplayError(description: "The system `\(receiver)` is not a receiver of linkage `\(linkage)`.")
        }
        var configuration = bus.configuration.kafka
        configuration.consumer.groupID = group ?? ConsumerGroups.receiver(linkage: linkage, receiver: receiver)
        self.bus = bus
        self.linkage = linkage
        self.receiver = receiver
        self.logger = bus.logger
        self.consumer = try KafkaConsumer.make(configuration: configuration, logger: bus.logger)
        self.seen = Mutex(RecentIDs(capacity: rememberedIDs))
    }

    /// Consumes until `shutdown()` or cancellation, calling `handler` for every record.
    public func run(_ handler: @Sendable (ReceivedRecord) async throws -> Void) async throws {
        let route = bus.route(linkage)!
        let destination = route.destination(receiver)!
        try consumer.subscribe(topics: [destination.topic])
        let feed = FeedReader(bus: bus)
        while true {
            try Task.checkCancellation()
            let next: KafkaMessageBatch?
            do {
                // Timed, so that a skip over expired records is reported even when no record follows it.
                next = try await consumer.nextBatch(within: .seconds(1))
            } catch let error as KafkaError where error.code == .destroyed {
                return  // shut down
            }
            // Records removed by retention before this receiver took them are reported, never skipped in silence.
            try await bus.recordRetentionLosses(consumer.takeRetentionLosses(), linkage: linkage, receiver: receiver)
            guard let batch = next else { continue }
            for message in batch {
                let original = TopicReader.Message(message)
                for record in try await records(of: original, feed: feed) {
                    try await deliver(record, original: original, route: route, handler: handler)
                }
            }
            try await consumer.commit(batch)
        }
    }

    /// Leaves the group at once, committing what was handled.
    public func shutdown() async { await consumer.shutdown() }

    private func records(of message: TopicReader.Message, feed: FeedReader) async throws -> [ReceivedRecord] {
        guard let envelope = Envelope(headers: message.headers) else { return [] }
        switch envelope.type {
        case .record:
            return [
                ReceivedRecord(
                    envelope: envelope, key: envelope.subject, value: message.value, partition: message.partition,
                    offset: message.offset)
            ]
        case .transferManifest:
            let manifest = try FeedReader.manifest(of: message, envelope: envelope)
            return try await feed.transferRecords(manifest, envelope: envelope, at: message, skip: 0, limit: .max)
        default:
            return []
        }
    }

    private func deliver(
        _ record: ReceivedRecord, original: TopicReader.Message, route: LinkageRoute,
        handler: @Sendable (ReceivedRecord) async throws -> Void
    ) async throws {
        let id = record.deduplicationID
        guard !seen.withLock({ $0.contains(id) }) else { return }
        let policy = RetryPolicy(route.linkage.failurePolicy)
        let first = Date()
        for attempt in 1...policy.attempts {
            do {
                try await handler(record)
                seen.withLock { $0.insert(id) }
                return
            } catch {
                logger.warning(
                    "receiver handler failed",
                    metadata: [
                        "renkei.linkage": "\(linkage)", "renkei.receiver": "\(receiver)", "renkei.event": "\(id)",
                        "renkei.attempt": "\(attempt)",
                    ])
                guard policy.retries(afterAttempt: attempt) else { break }
                try await Task.sleep(for: policy.delay(afterAttempt: attempt))
            }
        }
        var source = original
        if record.transfer != nil {
            // A record of a bulk transfer is dead-lettered on its own, with the transfer's envelope.
            source.value = record.value
            source.headers = record.envelope.headers
        }
        let failure = DeliveryFailure(
            keys: record.key.map { [$0] } ?? [], events: [record.envelope.id], transfer: record.transfer,
            recordCount: 1, reason: "handler-failed",
            message: "the receiver's handler failed \(policy.attempts) times", attempts: policy.attempts,
            firstFailure: first)
        try await bus.deadLetterDelivery(failure, original: source, linkage: linkage, receiver: receiver)
    }
}

/// The most recent ids, bounded: the oldest is forgotten first.
struct RecentIDs {
    let capacity: Int
    private var set: Set<String> = []
    private var order: [String] = []
    private var head = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    func contains(_ id: String) -> Bool { set.contains(id) }

    mutating func insert(_ id: String) {
        guard set.insert(id).inserted else { return }
        if order.count < capacity {
            order.append(id)
        } else {
            set.remove(order[head])
            order[head] = id
            head = (head + 1) % capacity
        }
    }
}
