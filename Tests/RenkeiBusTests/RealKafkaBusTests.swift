import Foundation
import RenkeiBus
import RenkeiKafka
import Testing

/// The bus on a real Kafka cluster, where every transaction leaves a marker, aborted records are hidden by the
/// broker, and topics are shared with earlier runs: each test reads from the end it found when it started. Set
/// `RENKEI_KAFKA_BOOTSTRAP` (for example to the `docker-compose.yml` cluster, see docs/operations.md) to run it;
/// without it every test is skipped and says why.
@Suite(
    .serialized,
    .enabled(
        if: BusHarness.realKafkaBootstrap != nil,
        "RENKEI_KAFKA_BOOTSTRAP is not set: these tests need a real Kafka (the embedded mock writes no markers)")
)
struct RealKafkaBusTests {
    /// The feed position after everything `receiver`'s topic holds now.
    private func endCursor(
        _ harness: BusHarness, _ receiver: String, linkage: String = "resident-change"
    ) async throws -> FeedCursor {
        let admin = try KafkaAdmin.make(configuration: harness.bus.configuration.kafka, logger: harness.logger)
        let marks = try await admin.watermarks(topic: BusTopics.outbound(linkage: linkage, receiver: receiver))
        return FeedCursor(offsets: marks.mapValues(\.high))
    }

    private func configure(_ configuration: inout BusConfiguration) {
        configuration.kafka.operationTimeout = .seconds(20)
    }

    @Test func transactionalTopicsAreReadToTheirEnd() async throws {
        try await BusHarness.with(realCluster: true, configure: configure) { (harness: BusHarness) async throws in
            let before = try await endCursor(harness, "C001")
            let (jsonl, _) = harness.residents(10, seed: UInt64.random(in: 1...1_000_000))
            let receipt = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            let reader = FeedReader(bus: harness.bus)
            let started = ContinuousClock.now
            let page = try await reader.read(linkage: "resident-change", receiver: "C001", after: before, limit: 100)
            #expect(Set(page.deliveries.map(\.envelope.id)) == Set(receipt.eventIDs))
            #expect(!page.hasMore, "the commit markers after the records are not more to read")
            let again = try await reader.read(linkage: "resident-change", receiver: "C001", after: page.next)
            #expect(again.deliveries.isEmpty)
            // A read that waited for the record at the end − 1 (a marker here) would time out after 20 s.
            #expect(ContinuousClock.now - started < .seconds(20))
            #expect(try await HistoryReader(bus: harness.bus).verify().isIntact)
        }
    }

    @Test func abortedRecordsAreInvisibleAndDoNotHoldTheRead() async throws {
        try await BusHarness.with(realCluster: true, configure: configure) { (harness: BusHarness) async throws in
            let before = try await endCursor(harness, "018")
            var kafka = harness.bus.configuration.kafka
            kafka.producer.transactionalID = "renkei-test-abort-\(UUID().uuidString.prefix(8))"
            let producer = try await KafkaProducer.make(configuration: kafka, logger: harness.logger)
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await producer.transaction { transaction in
                    // Acknowledged by the broker before the abort, so the aborted records are in the log.
                    _ = try await transaction.sendAndWait(
                        (0..<3).map { index in
                            KafkaOutgoingMessage(
                                topic: BusTopics.outbound(linkage: "resident-change", receiver: "018"),
                                key: Array("aborted-\(index)".utf8), value: Array(#"{"aborted":true}"#.utf8),
                                headers: Envelope(
                                    source: "urn:renkei:system:001", type: .record, subject: "aborted-\(index)",
                                    linkage: "resident-change", receiver: "018"
                                ).headers)
                        })
                    throw Abort()
                }
            }
            await producer.shutdown()
            let (jsonl, _) = harness.residents(2, seed: UInt64.random(in: 1...1_000_000))
            let receipt = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            let page = try await FeedReader(bus: harness.bus).read(
                linkage: "resident-change", receiver: "018", after: before, limit: 100)
            #expect(Set(page.deliveries.map(\.envelope.id)) == Set(receipt.eventIDs))
            #expect(!page.deliveries.contains { $0.key?.hasPrefix("aborted-") == true })
        }
    }

    @Test func anInterruptedTransferDeliversNothing() async throws {
        try await BusHarness.with(realCluster: true, configure: configure) { (harness: BusHarness) async throws in
            let before = try await endCursor(harness, "008", linkage: "resident-register-daily")
            let (csv, _) = harness.residentsCSV(2000)
            await #expect(throws: (any Error).self) {
                _ = try await harness.bus.provideBulk(
                    linkage: "resident-register-daily", provider: "001", format: .csv,
                    chunks: ChunkedBytes(bytes: csv, chunkSize: 64 * 1024, failAt: 3))
            }
            let page = try await FeedReader(bus: harness.bus).read(
                linkage: "resident-register-daily", receiver: "008", after: before, limit: 100)
            #expect(page.deliveries.isEmpty)
        }
    }
}
