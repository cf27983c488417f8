import Foundation
import Logging
import RenkeiContracts
import RenkeiKafka

/// Pushes one receiver's records of one linkage to its webhook (CloudEvents HTTP binary binding: `ce-*` headers,
/// the record as the body), through the ``WebhookTransport`` of the process.
///
/// Reads the receiver's outbound topic in the consumer group `renkei-push.<linkage>.<receiver>` (instances share
/// partitions) and delivers each batch in order, one record at a time, so records of one key — always on one
/// partition — arrive in order. A failed POST is retried by the linkage's ``RetryPolicy``; after its attempts (or at
/// once when the receiver refuses with a 4xx other than 408/429), the record goes to the receiver's dead-letter
/// topic (``Bus/deadLetterDelivery(_:original:linkage:receiver:)``) and delivery moves on. Offsets are committed
/// after each batch.
final class PushWorker: DeliveryWorker {
    let id: DeliveryWorkerID
    private let bus: Bus
    private let linkage: Linkage
    private let receiver: Receiver
    private let webhook: String
    private let transport: any WebhookTransport
    private let signers: WebhookSigners
    private let timeout: Duration
    private let observer: (any DeliveryObserver)?
    private let consumer: KafkaConsumer
    private let topic: String
    /// The route's, for records written before envelopes carried one.
    private let contractVersion: String

    private init(
        bus: Bus, linkage: Linkage, receiver: Receiver, webhook: String, transport: any WebhookTransport,
        signers: WebhookSigners, timeout: Duration, observer: (any DeliveryObserver)?, consumer: KafkaConsumer,
        topic: String, contractVersion: String
    ) {
        self.id = DeliveryWorkerID(linkage: linkage.id, system: receiver.system, method: .push)
        self.bus = bus
        self.linkage = linkage
        self.receiver = receiver
        self.webhook = webhook
        self.transport = transport
        self.signers = signers
        self.timeout = timeout
        self.observer = observer
        self.consumer = consumer
        self.topic = topic
        self.contractVersion = contractVersion
    }

    /// A worker for `destination` of `route`, its consumer subscribed to the receiver's outbound topic.
    static func make(
        bus: Bus, route: LinkageRoute, destination: LinkageRoute.Destination, webhook: String,
        transport: any WebhookTransport, signers: WebhookSigners, timeout: Duration,
        observer: (any DeliveryObserver)?
    ) throws -> PushWorker {
        var kafka = bus.configuration.kafka
        kafka.consumer.groupID = ConsumerGroups.push(linkage: route.linkage.id, receiver: destination.receiver.system)
        kafka.producer.transactionalID = nil
        let consumer = try KafkaConsumer.make(configuration: kafka, logger: bus.logger)
        try consumer.subscribe(topics: [destination.topic])
        return PushWorker(
            bus: bus, linkage: route.linkage, receiver: destination.receiver, webhook: webhook, transport: transport,
            signers: signers, timeout: timeout, observer: observer, consumer: consumer, topic: destination.topic,
            contractVersion: route.contractVersion)
    }

    func run() async throws {
        // Cancelling stops a back-off sleep at once; the record in hand is not committed and is pushed again later.
        do {
            try await dispatch()
        } catch is CancellationError {
        } catch {
            await consumer.shutdown()
            throw error
        }
        await consumer.shutdown()
    }

    private var metadata: Logger.Metadata {
        ["renkei.linkage": "\(linkage.id)", "renkei.receiver": "\(receiver.system)"]
    }

    private func dispatch() async throws {
        while !Task.isCancelled {
            // Timed waits, so a skip over expired records is reported even when nothing follows it.
            let batch = try await consumer.nextBatch(within: .seconds(1))
            await reportExpired()
            guard let batch else { continue }
            var delivered: [HistoryEntry] = []
            for record in batch.map(OutboundRecord.init) {
                if Task.isCancelled { return }
                if try await deliver(record) {
                    delivered.append(
                        .delivered(
                            linkage: linkage, receiver: receiver, keys: record.keys, events: record.events,
                            transfer: record.envelope?.transfer, recordCount: 1,
                            requestPurpose: record.envelope?.requestPurpose,
                            contractVersion: record.envelope?.contractVersion ?? contractVersion))
                }
            }
            if !delivered.isEmpty {
                await bus.record(delivered)
                observer?.delivered(
                    linkage: linkage.id, receiver: receiver.system, method: "push", count: delivered.count)
            }
            consumer.markProcessed(batch)
            do {
                try await consumer.commit(batch)
            } catch {
                bus.logger.warning(
                    "push offsets not committed; records may be pushed again",
                    metadata: metadata.merging(["renkei.error": "\(error)"]) { a, _ in a })
            }
        }
    }

    /// Records that retention removed before this worker pushed them (it was down or behind for longer than the
    /// topic keeps records) become a dead letter and a history entry each, and are told to the observer.
    private func reportExpired() async {
        let losses = consumer.takeRetentionLosses()
        guard !losses.isEmpty else { return }
        let gaps: [RetentionGap]
        do {
            gaps = try await bus.recordRetentionLosses(losses, linkage: linkage.id, receiver: receiver.system)
        } catch {
            // Pushing goes on; the loss stays in the log line and the observer is not told.
            bus.logger.error(
                "records expired before they were pushed, and the dead letter could not be written",
                metadata: metadata.merging(["renkei.error": "\(error)", "renkei.lost": "\(losses)"]) { a, _ in a })
            return
        }
        observer?.expired(linkage: linkage.id, receiver: receiver.system, count: Int(gaps.reduce(0) { $0 + $1.lost }))
    }

    /// Pushes one record until it is taken; `false` when it went to the dead letters instead.
    private func deliver(_ record: OutboundRecord) async throws -> Bool {
        let policy = RetryPolicy(linkage.failurePolicy)
        var first: Date?
        var reason = "webhook-gave-up"
        var lastProblem = ""
        for attempt in 1...policy.attempts {
            let started = ContinuousClock.now
            let outcome = await post(record)
            observer?.pushAttempt(
                linkage: linkage.id, receiver: receiver.system, outcome: outcome.label,
                duration: ContinuousClock.now - started)
            switch outcome {
            case .delivered:
                observer?.pushed(
                    linkage: linkage.id, receiver: receiver.system, bytes: record.message.value.count,
                    sinceProvided: record.providedAt.map { .seconds(max(0, Date().timeIntervalSince($0))) })
                return true
            case .rejected(let status):
                first = first ?? Date()
                reason = "receiver-rejected"
                lastProblem = "the webhook refused the record with HTTP \(status)"
            case .failed(let problem):
                first = first ?? Date()
                lastProblem = problem
                if policy.retries(afterAttempt: attempt) {
                    try await Task.sleep(for: policy.delay(afterAttempt: attempt))
                    continue
                }
            }
            bus.logger.warning(
                "push gave up; record dead-lettered",
                metadata: metadata.merging(["renkei.attempts": "\(attempt)", "renkei.reason": "\(reason)"]) { a, _ in a
                })
            let failure = DeliveryFailure(
                keys: record.keys, events: record.events, transfer: record.envelope?.transfer, recordCount: 1,
                reason: reason, message: "\(lastProblem) (after \(attempt) attempt\(attempt == 1 ? "" : "s"))",
                attempts: attempt, firstFailure: first ?? Date())
            try await bus.deadLetterDelivery(
                failure, original: record.message, linkage: linkage.id, receiver: receiver.system)
            return false
        }
        return false
    }

    private enum Outcome {
        case delivered
        case rejected(Int)
        case failed(String)

        var label: String {
            switch self {
            case .delivered: "delivered"
            case .rejected: "rejected"
            case .failed: "failed"
            }
        }
    }

    private func post(_ record: OutboundRecord) async -> Outcome {
        // The event id is the webhook id: the same on every attempt, so a receiver can drop a second copy.
        let id = record.envelope?.id ?? "\(topic)/\(record.partition)/\(record.offset)"
        let signature = signers.headers(system: receiver.system, id: id, body: record.message.value)
        let answer = await transport.post(
            url: webhook, headers: record.cloudEventHeaders + signature, body: record.message.value, timeout: timeout,
            responseLimit: 64 * 1024)
        switch answer {
        case .answered(let status, _):
            if (200..<300).contains(status) { return .delivered }
            if (400..<500).contains(status), status != 408, status != 429 { return .rejected(status) }
            return .failed("the webhook answered HTTP \(status)")
        case .unreachable:
            return .failed("the webhook could not be reached")
        }
    }
}
