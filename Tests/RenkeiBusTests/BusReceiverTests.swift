import Foundation
import RenkeiKafka
import Synchronization
import Testing

@testable import RenkeiBus

@Suite(.serialized) struct BusReceiverTests {
    /// Fast back-off so the test does not wait for the sample contract's half-second steps.
    static func fastRetryContracts() throws -> String {
        try contractsCopy(
            editing: "linkages/resident-change.yaml", replacing: "backoff: { initial: 500ms, max: 1m }",
            with: "backoff: { initial: 5ms, max: 20ms }")
    }

    @Test func handlesEachRecordOnceAndDeadLettersAFailingOne() async throws {
        let directory = try Self.fastRetryContracts()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await BusHarness.with(contracts: directory) { (harness: BusHarness) async throws -> Void in
            let (jsonl, records) = harness.residents(12)
            let poisoned = try #require(records[4][0])
            let receipt = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)

            // The same event arrives twice (as after a replay or a provider's retry): handled once.
            let first = try #require(try await harness.feed("resident-change", "017").first)
            let producer = try await KafkaProducer.make(
                configuration: harness.bus.configuration.kafka, logger: harness.logger)
            _ = try await producer.send([
                KafkaOutgoingMessage(
                    topic: BusTopics.outbound(linkage: "resident-change", receiver: "017"),
                    key: first.key.map { Array($0.utf8) },
                    value: first.value, headers: first.envelope.headers)
            ])
            await producer.shutdown()

            let handled = Mutex<[String: Int]>([:])
            let attempts = Mutex(0)
            let receiver = try BusReceiver(bus: harness.bus, linkage: "resident-change", receiver: "017")
            let run = Task {
                try await receiver.run { record in
                    if record.key == poisoned {
                        attempts.withLock { $0 += 1 }
                        throw CocoaError(.featureUnsupported)
                    }
                    handled.withLock { $0[record.envelope.id, default: 0] += 1 }
                }
            }
            let deadline = ContinuousClock.now + .seconds(20)
            while handled.withLock({ $0.count }) < 11 || attempts.withLock({ $0 }) < 5, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            // Wait for the dead letter's transaction before leaving.
            var letters: [DeadLetter] = []
            while letters.isEmpty, ContinuousClock.now < deadline {
                letters = try await DeadLetterReader(bus: harness.bus).list(DeadLetterFilter(receiver: "017"))
            }
            await receiver.shutdown()
            run.cancel()

            #expect(handled.withLock { $0.count } == 11)
            #expect(handled.withLock { $0.values.allSatisfy { $0 == 1 } })
            #expect(attempts.withLock { $0 } == 5, "the linkage allows 5 push attempts")
            let letter = try #require(letters.first)
            #expect(letters.count == 1)
            #expect(letter.stage == "delivery" && letter.reasons == ["handler-failed"] && letter.attempts == 5)
            #expect(letter.originalTopic == BusTopics.outbound(linkage: "resident-change", receiver: "017"))
            #expect(letter.envelope?.subject == poisoned)
            #expect(receipt.eventIDs.contains(letter.envelope?.id ?? ""))
            let entries = try await harness.history(HistoryFilter(key: poisoned, kind: .deadLetter))
            #expect(entries.map(\.receiver) == ["017"])
        }
    }

    @Test func aReceiverBehindRetentionRecordsTheLossAndItCannotBeReplayed() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (jsonl, _) = harness.residents(2)
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            let topic = BusTopics.outbound(linkage: "resident-change", receiver: "017")
            let group = "renkei.receiver.test.\(UUID().uuidString.prefix(8))"
            let handled = Mutex(0)
            let first = try BusReceiver(bus: harness.bus, linkage: "resident-change", receiver: "017", group: group)
            let firstRun = Task { try await first.run { _ in handled.withLock { $0 += 1 } } }
            let deadline = ContinuousClock.now + .seconds(20)
            while handled.withLock({ $0 }) < 2, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            await first.shutdown()
            firstRun.cancel()
            #expect(handled.withLock { $0 } == 2)

            // While the receiver is down, its topic moves on and the oldest records expire.
            try await harness.expireOldestRecords(of: topic, partitions: [0, 1, 2, 3])
            // A record after the gap, so the restarted receiver has something to take.
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: harness.residents(1, seed: 99).jsonl,
                format: .jsonLines)

            let second = try BusReceiver(bus: harness.bus, linkage: "resident-change", receiver: "017", group: group)
            let secondRun = Task { try await second.run { _ in } }
            var letters: [DeadLetter] = []
            while letters.isEmpty, ContinuousClock.now < deadline {
                letters = try await DeadLetterReader(bus: harness.bus).list(DeadLetterFilter(receiver: "017"))
                try await Task.sleep(for: .milliseconds(100))
            }
            await second.shutdown()
            secondRun.cancel()
            let letter = try #require(letters.first)
            #expect(letter.reasons == [Bus.expiredBeforeDelivery])
            #expect(letter.originalTopic == topic)
            #expect(letter.message.contains("removed by retention"))
            let entries = try await harness.history(HistoryFilter(kind: .deadLetter))
            #expect(entries.contains { $0.outcome == "expired" && $0.receiver == "017" })
            await #expect(throws: ReplayError.self) { _ = try await harness.bus.replay(letter.reference) }
        }
    }

    @Test func rememberedIDsAreBoundedAndForgetTheOldest() {
        var ids = RecentIDs(capacity: 2)
        ids.insert("a")
        ids.insert("b")
        ids.insert("c")
        #expect(!ids.contains("a") && ids.contains("b") && ids.contains("c"))
    }
}
