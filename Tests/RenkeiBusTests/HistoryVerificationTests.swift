import Foundation
import RenkeiBus
import RenkeiKafka
import Testing

@Suite(.serialized) struct HistoryVerificationTests {
    /// Copies the history topic to another topic with one entry changed, as someone with write access to the
    /// cluster could, and verifies both.
    @Test func verifyFailsOnAModifiedEntry() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (jsonl, _) = harness.residents(3)
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            let kafka = harness.bus.configuration.kafka
            let original = try HistoryReader(configuration: kafka, logger: harness.logger)
            #expect(try await original.verify().isIntact)

            let entries = try await original.readAll().entries
            #expect(entries.count == 8)
            var messages: [KafkaOutgoingMessage] = []
            for (index, item) in entries.enumerated() {
                var entry = item.entry
                if index == 5 { entry.receiver = "C001-tampered" }
                messages.append(
                    KafkaOutgoingMessage(topic: "renkei.history.copy", partition: 0, value: entry.serialized()))
            }
            let producer = try await KafkaProducer.make(configuration: kafka, logger: harness.logger)
            try harness.kafka.createTopic("renkei.history.copy", partitions: 1)
            _ = try await producer.send(messages)
            await producer.shutdown()

            let copy = try HistoryReader(configuration: kafka, logger: harness.logger, topic: "renkei.history.copy")
            let report = try await copy.verify()
            #expect(!report.isIntact)
            #expect(report.problems.map(\.offset) == [5])
            #expect(report.problems.first?.reason.contains("changed") == true)
        }
    }

    /// Provides from many tasks at once: every entry chains onto the one before it, none onto a stale head.
    @Test func concurrentProvidesKeepOneUnbrokenChain() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let lines = String(decoding: harness.residents(16).jsonl, as: UTF8.self).split(separator: "\n")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for line in lines {
                    group.addTask {
                        _ = try await harness.bus.provide(
                            linkage: "resident-change", provider: "001", records: Array(line.utf8), format: .json)
                    }
                }
                try await group.waitForAll()
            }
            let history = try HistoryReader(configuration: harness.bus.configuration.kafka, logger: harness.logger)
            let report = try await history.verify()
            #expect(report.isIntact, "\(report.problems)")
            #expect(report.entries == 16 * 4)
        }
    }

    @Test func detectsRemovedAndReorderedEntries() throws {
        let entries = try Self.chain(5)
        #expect(HistoryVerification.verify(entries).isIntact)

        var removed = entries
        removed.remove(at: 2)
        let removal = HistoryVerification.verify(removed)
        #expect(removal.problems.map(\.sequence) == [4])
        #expect(removal.problems.first?.reason.contains("missing") == true)

        var reordered = entries
        reordered.swapAt(1, 2)
        let reorder = HistoryVerification.verify(reordered)
        #expect(!reorder.isIntact)
        #expect(reorder.problems.contains { $0.reason.contains("reordered") })
    }

    /// A chain of `count` entries, made by a real bus and read back.
    static func chain(_ count: Int) throws -> [(offset: Int64, entry: HistoryEntry)] {
        var entries: [(offset: Int64, entry: HistoryEntry)] = []
        var previous = String(repeating: "0", count: 64)
        for sequence in 1...count {
            var entry = HistoryEntry(kind: .provide, linkage: "l", keys: ["\(sequence)"], outcome: "ok")
            entry.chain = "c"
            entry.sequence = sequence
            entry.previousHash = previous
            entry.hash = HistoryVerification.hash(of: entry)
            previous = entry.hash
            entries.append((Int64(sequence - 1), entry))
        }
        return entries
    }
}
