import Foundation
import Logging
import RenkeiKafka

@testable import RenkeiBus

/// An indexer over an in-memory index loaded straight from entries, without a cluster: its Kafka clients connect
/// lazily, and the questions under test only read the index.
struct HistoryIndexFixture {
    /// 2026-11-30T00:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_795_996_800)

    let indexer: HistoryIndexer

    /// `minutes` after ``start``.
    static func at(_ minutes: Double) -> Date { start.addingTimeInterval(minutes * 60) }

    /// Indexes `entries` at offsets 0, 1, 2… (in the order given, whatever their times), chained as one writer's.
    static func make(_ entries: [HistoryEntry]) async throws -> HistoryIndexFixture {
        var logger = Logger(label: "renkei.test")
        logger.logLevel = .critical
        let index = try HistoryIndex.open(.memory, topic: "renkei.history", cluster: "fixture", logger: logger)
        var previous = HistoryHashing.genesis
        var messages: [(offset: Int64, value: [UInt8])] = []
        for (offset, original) in entries.enumerated() {
            var entry = original
            entry.chain = "fixture-1"
            entry.sequence = offset + 1
            entry.previousHash = previous
            entry.hash = HistoryVerification.hash(of: entry)
            previous = entry.hash
            messages.append((Int64(offset), entry.serialized()))
        }
        try await index.index(messages, next: Int64(messages.count))
        let indexer = try HistoryIndexer(
            index: index, configuration: KafkaConfiguration(bootstrapServers: ["127.0.0.1:9"]), logger: logger)
        return HistoryIndexFixture(indexer: indexer)
    }
}
