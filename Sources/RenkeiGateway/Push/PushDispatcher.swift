import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RenkeiBus
import RenkeiContracts
import RenkeiKafka
import ServiceLifecycle
import Synchronization

/// Pushes one receiver's records of one linkage to its webhook (CloudEvents HTTP binary binding: `ce-*` headers,
/// the record as the body).
///
/// Reads the receiver's outbound topic in the consumer group `renkei-push.<linkage>.<receiver>` (instances share
/// partitions) and delivers each batch in order, one record at a time, so records of one key — always on one
/// partition — arrive in order. A failed POST is retried with exponential back-off from the linkage's failure
/// policy; after `push-attempts` (or at once when the receiver refuses with a 4xx other than 408/429), the record
/// goes to the receiver's dead-letter topic and delivery moves on. Offsets are committed after each batch.
final class PushDispatcher: Service, Sendable {
    let linkage: Linkage
    let receiver: String
    let webhook: String
    private let gateway: Gateway
    private let consumer: KafkaConsumer
    private let positions = Mutex<[Int32: Int64]>([:])

    private init(linkage: Linkage, receiver: String, webhook: String, gateway: Gateway, consumer: KafkaConsumer) {
        self.linkage = linkage
        self.receiver = receiver
        self.webhook = webhook
        self.gateway = gateway
        self.consumer = consumer
    }

    static func dispatchers(_ gateway: Gateway) -> [PushDispatcher] {
        var dispatchers: [PushDispatcher] = []
        for linkage in gateway.contracts.linkages where linkage.mode == .provide {
            for receiver in linkage.receivers where receiver.delivery == .push {
                guard let webhook = gateway.contracts.system(receiver.system)?.endpoints.webhook else { continue }
                var kafka = gateway.bus.configuration.kafka
                kafka.consumer.groupID = "renkei-push.\(linkage.id).\(receiver.system)"
                kafka.producer.transactionalID = nil
                do {
                    let consumer = try KafkaConsumer.make(configuration: kafka, logger: gateway.logger)
                    try consumer.subscribe(topics: [BusTopics.outbound(linkage: linkage.id, receiver: receiver.system)])
                    dispatchers.append(
                        PushDispatcher(
                            linkage: linkage, receiver: receiver.system, webhook: webhook, gateway: gateway,
                            consumer: consumer))
                } catch {
                    gateway.logger.error(
                        "push dispatcher not started",
                        metadata: [
                            "renkei.linkage": "\(linkage.id)", "renkei.receiver": "\(receiver.system)",
                            "renkei.error": "\(error)",
                        ])
                }
            }
        }
        return dispatchers
    }

    var topic: String { BusTopics.outbound(linkage: linkage.id, receiver: receiver) }

    /// Next offset to push, per partition (for the lag gauge).
    var nextOffsets: [Int32: Int64] { positions.withLock { $0 } }

    func run() async throws {
        // Cancelling stops a back-off sleep at once; the record in hand is not committed and is pushed again later.
        do {
            try await cancelWhenGracefulShutdown { try await self.dispatch() }
        } catch is CancellationError {
        }
        await consumer.shutdown()
    }

    private var metadata: Logger.Metadata { ["renkei.linkage": "\(linkage.id)", "renkei.receiver": "\(receiver)"] }

    private func dispatch() async throws {
        while !Task.isCancelled {
            // Timed waits, so a skip over expired records is reported even when nothing follows it.
            let batch = try await consumer.nextBatch(within: .seconds(1))
            await reportExpired()
            guard let batch else { continue }
            let records = batch.map(OutboundRecord.init)
            var delivered: [OutboundRecord] = []
            for record in records {
                if Task.isCancelled { return }
                if try await deliver(record) { delivered.append(record) }
                positions.withLock { $0[record.partition] = record.offset + 1 }
            }
            await gateway.bus.recordPushDeliveries(linkage: linkage.id, receiver: receiver, delivered)
            gateway.metrics.delivered(linkage: linkage.id, receiver: receiver, method: "push", count: delivered.count)
            consumer.markProcessed(batch)
            do {
                try await consumer.commit(batch)
            } catch {
                gateway.logger.warning(
                    "push offsets not committed; records may be pushed again",
                    metadata: metadata.merging(["renkei.error": "\(error)"]) { a, _ in a })
            }
        }
    }

    /// Records that retention removed before this dispatcher pushed them (it was down or behind for longer than
    /// the topic keeps records) become a dead letter and a history entry each, and count in
    /// `renkei_records_expired_total`.
    private func reportExpired() async {
        let losses = consumer.takeRetentionLosses()
        guard !losses.isEmpty else { return }
        let gaps: [RetentionGap]
        do {
            gaps = try await gateway.bus.recordRetentionLosses(losses, linkage: linkage.id, receiver: receiver)
        } catch {
            // Pushing goes on; the loss stays in the log line and the metric below is not raised.
            gateway.logger.error(
                "records expired before they were pushed, and the dead letter could not be written",
                metadata: metadata.merging(["renkei.error": "\(error)", "renkei.lost": "\(losses)"]) { a, _ in a })
            return
        }
        gateway.metrics.add(
            "renkei_records_expired_total", [("linkage", linkage.id), ("receiver", receiver)],
            Int(gaps.reduce(0) { $0 + $1.lost }))
    }

    /// Pushes one record until it is taken; `false` when it went to the dead letters instead.
    private func deliver(_ record: OutboundRecord) async throws -> Bool {
        let policy = linkage.failurePolicy
        let attempts = max(1, policy.pushAttempts)
        var first: Date?
        var reason = "webhook-gave-up"
        var lastProblem = ""
        for attempt in 1...attempts {
            let outcome = await post(record)
            gateway.metrics.pushAttempt(linkage: linkage.id, receiver: receiver, outcome: outcome.label)
            switch outcome {
            case .delivered:
                return true
            case .rejected(let status):
                first = first ?? Date()
                reason = "receiver-rejected"
                lastProblem = "the webhook refused the record with HTTP \(status)"
            case .failed(let problem):
                first = first ?? Date()
                lastProblem = problem
                if attempt < attempts {
                    let delay = min(
                        Double(policy.initialBackoffMilliseconds) * pow(2, Double(attempt - 1)),
                        Double(policy.maxBackoffMilliseconds))
                    try await Task.sleep(for: .milliseconds(Int(delay)))
                    continue
                }
            }
            gateway.logger.warning(
                "push gave up; record dead-lettered",
                metadata: metadata.merging(["renkei.attempts": "\(attempt)", "renkei.reason": "\(reason)"]) { a, _ in a
                })
            try await gateway.bus.deadLetterPushDelivery(
                record, linkage: linkage.id, receiver: receiver, reason: reason,
                message: "\(lastProblem) (after \(attempt) attempt\(attempt == 1 ? "" : "s"))", attempts: attempt,
                firstFailure: first ?? Date(), lastFailure: Date())
            return false
        }
        return false
    }

    enum Outcome {
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
        var request = HTTPClientRequest(url: webhook)
        request.method = .POST
        request.headers = Self.cloudEventHeaders(record.headers)
        request.body = .bytes(ByteBuffer(bytes: record.value))
        let timeout = TimeAmount.nanoseconds(
            Int64(TokenService.seconds(gateway.configuration.outboundRequestTimeout) * 1e9))
        do {
            let response = try await gateway.httpClient.execute(request, timeout: timeout)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            if (200..<300).contains(status) { return .delivered }
            if (400..<500).contains(status), status != 408, status != 429 { return .rejected(status) }
            return .failed("the webhook answered HTTP \(status)")
        } catch {
            return .failed("the webhook could not be reached")
        }
    }

    /// Kafka binary-mode headers to HTTP binary-mode headers: `ce_x` becomes `ce-x`, `content-type` stays.
    static func cloudEventHeaders(_ headers: [KafkaHeader]) -> HTTPHeaders {
        var http = HTTPHeaders()
        for header in headers {
            guard let value = header.value.map({ String(decoding: $0, as: UTF8.self) }) else { continue }
            if header.name.hasPrefix("ce_") {
                http.replaceOrAdd(name: "ce-" + header.name.dropFirst(3), value: value)
            } else if header.name == "content-type" {
                http.replaceOrAdd(name: "Content-Type", value: value)
            }
        }
        if !http.contains(name: "Content-Type") { http.add(name: "Content-Type", value: "application/json") }
        return http
    }
}
