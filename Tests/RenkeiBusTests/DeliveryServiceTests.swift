import Foundation
import ServiceLifecycle
import Synchronization
import Testing

@testable import RenkeiBus

/// A webhook transport whose answers a test scripts; it records every POST.
final class ScriptedTransport: WebhookTransport {
    struct Post: Sendable {
        var url: String
        var headers: [String: String]
        var body: [UInt8]
    }

    private let posts = Mutex<[Post]>([])
    private let answer: @Sendable (Int, [String: String]) -> PostOutcome

    /// `answer` gets the 0-based number of the POST and its headers.
    init(answer: @escaping @Sendable (Int, [String: String]) -> PostOutcome) { self.answer = answer }

    var received: [Post] { posts.withLock { $0 } }

    func post(
        url: String, headers: [(String, String)], body: [UInt8], timeout: Duration, responseLimit: Int
    ) async -> PostOutcome {
        let fields = Dictionary(headers, uniquingKeysWith: { _, last in last })
        let number = posts.withLock { list in
            list.append(Post(url: url, headers: fields, body: body))
            return list.count - 1
        }
        return answer(number, fields)
    }
}

/// Counts what the delivery service reports.
final class CountingObserver: DeliveryObserver {
    let counts = Mutex<[String: Int]>([:])

    func delivered(linkage: String, receiver: String, method: String, count: Int) {
        counts.withLock { $0["delivered.\(method)", default: 0] += count }
    }

    func pushAttempt(linkage: String, receiver: String, outcome: String, duration: Duration) {
        counts.withLock { $0["push.\(outcome)", default: 0] += 1 }
    }

    func expired(linkage: String, receiver: String, count: Int) {
        counts.withLock { $0["expired", default: 0] += count }
    }

    subscript(_ name: String) -> Int { counts.withLock { $0[name, default: 0] } }
}

@Suite(.serialized) struct DeliveryServiceTests {
    @Test func startsAWorkerPerPushAndFileReceiverInboxAndQueryEndpointOfTheRouteTable() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let service = DeliveryService(bus: harness.bus, transport: ScriptedTransport { _, _ in .unreachable("") })
            #expect(
                service.plannedWorkers == [
                    DeliveryWorkerID(linkage: "resident-change", system: "017", method: .push),
                    DeliveryWorkerID(linkage: "resident-register-daily", system: "008", method: .file),
                    DeliveryWorkerID(linkage: "*", system: "001", method: .inbox),
                    DeliveryWorkerID(linkage: "resident-query", system: "001", method: .queryEndpoint),
                ])
        }
    }

    @Test func aFlappingWebhookGetsEveryRecordInOrderAndTheOneItRefusesIsDeadLettered() async throws {
        let directory = try contractsCopy(
            editing: "linkages/resident-change.yaml", replacing: "backoff: { initial: 500ms, max: 1m }",
            with: "backoff: { initial: 5ms, max: 20ms }")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await BusHarness.with(contracts: directory) { (harness: BusHarness) async throws -> Void in
            let (jsonl, records) = harness.residents(4)
            let refused = try #require(records[2][0])
            // Down for the first two POSTs, then up; the webhook always refuses one resident with a 422.
            let transport = ScriptedTransport { number, headers in
                if number < 2 { return .answered(status: 503, body: nil) }
                if headers["ce-subject"] == refused { return .answered(status: 422, body: []) }
                return .answered(status: 204, body: [])
            }
            let observer = CountingObserver()
            let service = DeliveryService(bus: harness.bus, transport: transport, observer: observer)
            let group = ServiceGroup(services: [service], logger: harness.logger)
            let running = Task { try await group.run() }

            let receipt = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            let deadline = ContinuousClock.now + .seconds(20)
            var letters: [DeadLetter] = []
            while observer["delivered.push"] < 3 || letters.isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                letters = try await DeadLetterReader(bus: harness.bus).list(DeadLetterFilter(receiver: "017"))
            }
            // Measured from the push group's committed offsets, as any instance would: 0 once the batch is committed.
            let monitor = ReceiverLagMonitor(bus: harness.bus, maxAge: .zero)
            var pending = await monitor.lag().first { $0.method == .push }?.records
            while pending != 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                pending = await monitor.lag().first { $0.method == .push }?.records
            }
            #expect(pending == 0)
            await group.triggerGracefulShutdown()
            try await running.value

            let pushes = transport.received.filter { $0.url.hasSuffix("/renkei/events") }
            let taken = pushes.dropFirst(2).compactMap { $0.headers["ce-id"] }
            // Each record once after the two failures; order holds per key (one partition each), not across keys.
            #expect(taken.count == receipt.eventIDs.count && Set(taken) == Set(receipt.eventIDs))
            #expect(pushes.first?.headers["Content-Type"] == "application/json")
            #expect(observer["push.failed"] == 2 && observer["push.rejected"] == 1 && observer["push.delivered"] == 3)
            let letter = try #require(letters.first)
            #expect(letters.count == 1)
            #expect(letter.stage == "delivery" && letter.reasons == ["receiver-rejected"] && letter.attempts == 1)
            #expect(letter.envelope?.subject == refused)
            #expect(letter.message.contains("HTTP 422"))
            let failed = try await harness.history(HistoryFilter(kind: .deadLetter))
            #expect(failed.map(\.keys) == [[refused]])
            #expect(failed.first?.deadLetter == letter.reference.description)
            #expect(failed.first?.purpose != nil)
            let delivered = try await harness.history(HistoryFilter(system: "017", kind: .delivery))
            #expect(delivered.count == 3)
            #expect(delivered.allSatisfy { $0.outcome == "ok" && $0.items?.isEmpty == false })
        }
    }

    @Test func aWebhookThatNeverAnswersIsTriedByThePolicyThenDeadLettered() async throws {
        let directory = try contractsCopy(
            editing: "linkages/resident-change.yaml", replacing: "backoff: { initial: 500ms, max: 1m }",
            with: "backoff: { initial: 5ms, max: 20ms }")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await BusHarness.with(contracts: directory) { (harness: BusHarness) async throws -> Void in
            let transport = ScriptedTransport { _, _ in .unreachable("connection refused") }
            let service = DeliveryService(bus: harness.bus, transport: transport)
            let group = ServiceGroup(services: [service], logger: harness.logger)
            let running = Task { try await group.run() }
            let (jsonl, _) = harness.residents(1)
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            let deadline = ContinuousClock.now + .seconds(20)
            var letters: [DeadLetter] = []
            while letters.isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                letters = try await DeadLetterReader(bus: harness.bus).list(DeadLetterFilter(receiver: "017"))
            }
            await group.triggerGracefulShutdown()
            try await running.value
            let letter = try #require(letters.first)
            #expect(transport.received.count == 5, "the linkage allows 5 push attempts")
            #expect(letter.reasons == ["webhook-gave-up"] && letter.attempts == 5)
            #expect(letter.message == "the webhook could not be reached (after 5 attempts)")
            let firstFailure = try #require(letter.firstFailure)
            let lastFailure = try #require(letter.lastFailure)
            #expect(firstFailure <= lastFailure)
        }
    }
}
