import Foundation
import RenkeiBus
import RenkeiKafka
import Testing

/// Every bounded read of the bus ends on a topic whose last offsets are transaction markers, as on a real broker
/// where each provide's transaction ends with one, and never skips what retention removed in silence.
@Suite(.serialized) struct BoundedReadTests {
    /// Appends a commit marker to every partition of `topic`, as a broker does when a transaction commits.
    private func appendMarkers(_ harness: BusHarness, topic: String) async throws {
        let admin = try KafkaAdmin.make(configuration: harness.bus.configuration.kafka, logger: harness.logger)
        for partition in try await admin.watermarks(topic: topic).keys {
            _ = try harness.kafka.appendTransactionMarker(topic: topic, partition: partition)
        }
    }

    @Test func feedsHistoryAndDeadLettersEndOnMarkers() async throws {
        try await BusHarness.with(configure: { $0.kafka.operationTimeout = .seconds(8) }) {
            (harness: BusHarness) async throws -> Void in
            let (jsonl, _) = harness.residents(20)
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            let topic = BusTopics.outbound(linkage: "resident-change", receiver: "C001")
            try await appendMarkers(harness, topic: topic)
            try await appendMarkers(harness, topic: BusTopics.history)

            let started = ContinuousClock.now
            let reader = FeedReader(bus: harness.bus)
            let page = try await reader.read(linkage: "resident-change", receiver: "C001", after: .start, limit: 100)
            #expect(page.deliveries.count == 20)
            #expect(!page.hasMore, "the markers after the last record are not more to read")
            let again = try await reader.read(linkage: "resident-change", receiver: "C001", after: page.next)
            #expect(again.deliveries.isEmpty)
            #expect(!again.hasMore)
            #expect(again.next == page.next)

            let report = try await HistoryReader(bus: harness.bus).verify()
            #expect(report.isIntact)
            #expect(report.entries >= 4)
            #expect(try await DeadLetterReader(bus: harness.bus).list().isEmpty)
            // Well inside one operation timeout (8 s): a read that waited for the record at end − 1 would fail.
            #expect(ContinuousClock.now - started < .seconds(8))
        }
    }

    @Test func pagesStopAtTheLimitAndContinueWhereTheyStopped() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (jsonl, _) = harness.residents(30)
            let receipt = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            try await appendMarkers(harness, topic: BusTopics.outbound(linkage: "resident-change", receiver: "018"))
            let reader = FeedReader(bus: harness.bus)
            var cursor = FeedCursor.start
            var ids: [String] = []
            var pages = 0
            while true {
                let page = try await reader.read(linkage: "resident-change", receiver: "018", after: cursor, limit: 7)
                #expect(page.deliveries.count <= 7)
                ids += page.deliveries.map(\.envelope.id)
                cursor = page.next
                pages += 1
                if !page.hasMore { break }
                #expect(pages < 20)
            }
            #expect(ids.count == 30)
            #expect(Set(ids) == Set(receipt.eventIDs))
        }
    }

    @Test func aSecondBusStartsOnAHistoryEndingInAMarker() async throws {
        try await BusHarness.with(configure: { $0.kafka.operationTimeout = .seconds(8) }) {
            (harness: BusHarness) async throws -> Void in
            let (jsonl, _) = harness.residents(3)
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            try await appendMarkers(harness, topic: BusTopics.history)
            let restarted = try await Bus.start(
                contracts: harness.contracts, configuration: harness.bus.configuration, logger: harness.logger)
            _ = try await restarted.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            await restarted.shutdown()
            #expect(try await HistoryReader(bus: harness.bus).verify().isIntact)
        }
    }

    @Test func aCursorBelowRetentionIsExpiredNotSkipped() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (jsonl, _) = harness.residents(2)
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            let topic = BusTopics.outbound(linkage: "resident-change", receiver: "C001")
            let reader = FeedReader(bus: harness.bus)
            let first = try await reader.read(linkage: "resident-change", receiver: "C001", after: .start)
            #expect(first.deliveries.count == 2)
            let old = FeedCursor(offsets: [0: 0, 1: 0, 2: 0, 3: 0])
            try await harness.expireOldestRecords(of: topic, partitions: [0])
            let error = await #expect(throws: FeedCursorExpired.self) {
                _ = try await reader.read(linkage: "resident-change", receiver: "C001", after: old)
            }
            let gap = try #require(error?.gaps.first)
            #expect(gap.partition == 0)
            #expect(gap.retainedFrom > 0)
            #expect(error?.description.contains("lost") == true)
            let restart = try #require(error).restart(from: old)
            #expect(restart.offsets[0] == gap.retainedFrom)
        }
    }

    @Test func historyVerifyTellsRetentionFromTampering() {
        func entry(_ sequence: Int, previous: String) -> HistoryEntry {
            var entry = HistoryEntry(
                time: Date(timeIntervalSince1970: 1_700_000_000), kind: .provide, linkage: "l", contract: "c@1",
                outcome: "ok")
            entry.chain = "a"
            entry.sequence = sequence
            entry.previousHash = previous
            entry.hash = HistoryVerification.hash(of: entry)
            return entry
        }
        let third = entry(3, previous: String(repeating: "ab", count: 32))
        let fourth = entry(4, previous: third.hash)
        let retained = HistoryVerification.verify([(10, third), (11, fourth)], retainedFrom: 10)
        #expect(retained.isIntact)
        #expect(retained.expired.map(\.description) == ["chain a: entries 1…2 were removed by retention"])
        let tampered = HistoryVerification.verify([(0, third), (1, fourth)], retainedFrom: 0)
        #expect(!tampered.isIntact)
    }
}
