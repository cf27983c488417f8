import Foundation
import Logging
import RenkeiCodec
import RenkeiContracts
import RenkeiKafka
import RenkeiSynthetic
import Testing

@testable import RenkeiBus

/// The index under a data directory across restarts: rebuilt from the topic it equals the one followed while
/// writing, a restart reads only the head entry, and a file that cannot be trusted is set aside and rebuilt.
@Suite(.serialized, .timeLimit(.minutes(5))) struct HistoryIndexRecoveryTests {
    @Test func rebuiltIndexEqualsTheOneFollowedWhileWriting() async throws {
        try await Restarts.with { cluster in
            let directory = cluster.directory()
            let bus = try await cluster.start("a", dataDirectory: directory)
            try await cluster.writeSomeOfEverything(on: bus)
            try await bus.history.sync()
            await bus.shutdown()

            let followed = try HistoryIndex.open(
                .directory(directory), topic: BusTopics.history, cluster: try await cluster.id(),
                logger: cluster.logger)
            let rebuilt = try await cluster.rebuiltIndex()
            let kept = try await followed.allEntries()
            let fresh = try await rebuilt.index.allEntries()
            let topic = try await HistoryReader(configuration: cluster.kafka.configuration, logger: cluster.logger)
                .readAll().entries
            #expect(topic.count == 8, "a provide's 4, a refusal, a transfer's 3")
            #expect(kept.map(\.offset) == topic.map(\.offset))
            #expect(fresh.map(\.offset) == topic.map(\.offset))
            for (index, written) in topic.enumerated() where index < min(kept.count, fresh.count) {
                // Both indexes give each entry back byte for byte as written, so its hash still checks.
                let bytes = written.entry.serialized()
                #expect(kept[index].entry.serialized() == bytes, "followed, offset \(written.offset)")
                #expect(fresh[index].entry.serialized() == bytes, "rebuilt, offset \(written.offset)")
                #expect(HistoryVerification.hash(of: fresh[index].entry) == written.entry.hash)
                #expect(HistoryVerification.hash(of: kept[index].entry) == written.entry.hash)
            }
            #expect(try await followed.nextOffset() == rebuilt.index.nextOffset())
            #expect(try await followed.unreadable().isEmpty)
            try followed.close()
        }
    }

    /// A large catch-up writes without the lookup indexes and builds them at its end: its answers equal those of an
    /// index kept up to date row by row, and the lookup indexes exist again afterwards.
    @Test func aBulkRebuildAnswersAsTheFollowedIndexAndEndsWithItsLookups() async throws {
        try await Restarts.with { cluster in
            let bus = try await cluster.start("a", dataDirectory: nil)
            try await cluster.writeSomeOfEverything(on: bus)
            try await bus.history.sync()
            let index = try HistoryIndex.open(
                .memory, topic: BusTopics.history, cluster: try await cluster.id(), logger: cluster.logger)
            let pool = ReaderPool(configuration: cluster.kafka.configuration, logger: cluster.logger, maxClients: 2)
            let bulk = HistoryIndexer(
                index: index,
                reader: TopicReader(
                    pool: pool,
                    admin: try KafkaAdmin.make(configuration: cluster.kafka.configuration, logger: cluster.logger)),
                logger: cluster.logger, pageSize: 2, bulkThreshold: 1)
            #expect(try await bulk.sync() == 8)
            for filter in [
                HistoryFilter(), HistoryFilter(linkage: "resident-change"), HistoryFilter(system: "018"),
                HistoryFilter(kind: .refusal), HistoryFilter(outcome: "ok"),
            ] {
                let followed = try await bus.history.page(HistoryQuery(filter: filter, limit: 100)).items.map(\.offset)
                let rebuilt = try await bulk.page(HistoryQuery(filter: filter, limit: 100)).items.map(\.offset)
                #expect(!followed.isEmpty)
                #expect(rebuilt == followed, "\(filter)")
            }
            let lookups = try await index.database.read { db in
                try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'entries_%'")
            }
            #expect(Set(lookups) == Set(HistoryIndexSchema.lookupIndexes.map(\.name)))
            await pool.shutdown()
            await bus.shutdown()
        }
    }

    /// A restart on an index that is up to date reads one message of the history (the head entry, to check it);
    /// an in-memory index reads the whole history instead — what the data directory saves.
    @Test func restartOnAnUpToDateIndexReadsOnlyTheHeadEntry() async throws {
        try await Restarts.with { cluster in
            let directory = cluster.directory()
            let first = try await cluster.start("a", dataDirectory: directory)
            for seed in [1, 2, 3] as [UInt64] { try await cluster.provide(3, seed: seed, on: first) }
            try await first.history.sync()
            await first.shutdown()

            let restarted = try await cluster.start("a", dataDirectory: directory)
            try await restarted.history.sync()
            #expect(restarted.history.messagesRead == 1)
            try await cluster.provide(1, on: restarted)
            await restarted.shutdown()

            let inMemory = try await cluster.start("a", dataDirectory: nil)
            try await inMemory.history.sync()
            #expect(inMemory.history.messagesRead > 16)
            try await cluster.provide(1, on: inMemory)
            let report = try await HistoryReader(bus: inMemory).verify()
            await inMemory.shutdown()
            #expect(report.isIntact, "\(report.problems)")
            #expect(report.entries == 4 * 5)
        }
    }

    /// The same instance wrote more on another machine (another data directory) and another instance wrote too:
    /// restarted on its old, now stale index, it continues its chain after the newest entry, without a gap.
    @Test func restartOnAStaleIndexContinuesTheChainWithoutAGap() async throws {
        try await Restarts.with { cluster in
            let directory = cluster.directory()
            let bus = try await cluster.start("a", dataDirectory: directory)
            try await cluster.provide(2, on: bus)
            await bus.shutdown()
            let elsewhere = try await cluster.start("a", dataDirectory: cluster.directory())
            try await cluster.provide(2, seed: 2, on: elsewhere)
            await elsewhere.shutdown()
            let other = try await cluster.start("b", dataDirectory: nil)
            try await cluster.provide(2, seed: 3, on: other)
            await other.shutdown()

            let restarted = try await cluster.start("a", dataDirectory: directory)
            try await cluster.provide(2, seed: 4, on: restarted)
            try await restarted.history.sync()
            let report = try await HistoryReader(bus: restarted).verify()
            let chain = try await restarted.history.walk(HistoryFilter(), limit: 1000).map(\.entry)
                .filter { $0.chain == "a" }.map(\.sequence)
            await restarted.shutdown()
            #expect(report.isIntact, "\(report.problems)")
            #expect(report.chains == 2)
            #expect(chain == Array((1...12).reversed()))
        }
    }

    @Test func unreadableIndexFileIsSetAsideAndRebuilt() async throws {
        try await Restarts.with { cluster in
            let first = try await cluster.start("a", dataDirectory: nil)
            try await cluster.provide(3, on: first)
            await first.shutdown()
            let directory = cluster.directory()
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let garbage = Data(repeating: 0x5A, count: 8192)
            try garbage.write(to: URL(fileURLWithPath: directory + "/" + HistoryIndex.fileName))

            let bus = try await cluster.start("a", dataDirectory: directory)
            let asides = try cluster.setAside(in: directory)
            #expect(asides.count == 1)
            #expect(FileManager.default.contents(atPath: directory + "/" + (asides.first ?? "")) == garbage)
            try await bus.history.sync()
            #expect(try await bus.history.walk(HistoryFilter(system: "018"), limit: 100).count == 1)
            try await cluster.provide(1, seed: 2, on: bus)
            try await bus.history.sync()
            let report = try await HistoryReader(bus: bus).verify()
            #expect(try await bus.history.index.count() == 8)
            await bus.shutdown()
            #expect(report.isIntact, "\(report.problems)")
        }
    }

    /// The data directory is reused against another cluster: its index is set aside, not mixed in.
    @Test func indexOfAnotherClusterIsSetAsideAndRebuilt() async throws {
        try await Restarts.with { cluster in
            let directory = cluster.directory()
            let first = try await cluster.start("a", dataDirectory: directory)
            try await cluster.provide(3, on: first)
            await first.shutdown()

            try await Restarts.with { other in
                #expect(try await other.id() != cluster.id())
                let bus = try await other.start("a", dataDirectory: directory)
                #expect(try cluster.setAside(in: directory).count == 1)
                #expect(try await bus.history.index.count() == 0)
                try await other.provide(1, seed: 5, on: bus)
                try await bus.history.sync()
                let entries = try await bus.history.walk(HistoryFilter(), limit: 100).map(\.entry)
                await bus.shutdown()
                #expect(entries.count == 4)
                #expect(entries.map(\.sequence).sorted() == [1, 2, 3, 4], "a new chain on the new cluster")
            }
        }
    }

    /// Bytes that are no history entry on the history topic: skipped, listed by offset, the rest indexed.
    @Test func unreadableHistoryMessageIsListedAndTheRestIndexed() async throws {
        try await BusHarness.with { harness in
            try await Restarts.provide(2, on: harness.bus)
            let producer = try await KafkaProducer.make(
                configuration: harness.bus.configuration.kafka, logger: harness.logger)
            let report = try await producer.send([
                KafkaOutgoingMessage(topic: BusTopics.history, partition: 0, value: Array("not an entry".utf8))
            ])
            await producer.shutdown()
            try report.throwIfAnyFailed()
            let garbage = report.positions[0].offset
            try await Restarts.provide(2, seed: 2, on: harness.bus)

            try await harness.bus.history.sync()
            let unreadable = try await harness.bus.history.index.unreadable()
            #expect(unreadable.map(\.offset) == [garbage])
            #expect(unreadable.first?.reason.contains("not a history entry") == true)
            let indexed = try await harness.bus.history.walk(HistoryFilter(), limit: 100)
            #expect(indexed.count == 8)
            #expect(indexed.filter { $0.offset > garbage }.count == 4)
        }
    }
}

/// A cluster on which buses are started and stopped by hand, with data directories removed afterwards.
struct Restarts {
    let kafka: EmbeddedKafka
    let contracts: ContractSet
    let logger: Logger
    private let root: String

    static func with(_ body: (Restarts) async throws -> Void) async throws {
        var logger = Logger(label: "renkei.test")
        logger.logLevel = .critical
        let cluster = Restarts(
            kafka: try EmbeddedKafka.start(brokers: 1, logger: logger),
            contracts: try ContractLoader.load(directory: BusHarness.contractsDirectory), logger: logger,
            root: FileManager.default.temporaryDirectory.appendingPathComponent("renkei-index-\(UUID())").path)
        defer {
            cluster.kafka.shutdown()
            try? FileManager.default.removeItem(atPath: cluster.root)
        }
        try await body(cluster)
    }

    /// A new, not yet existing data directory.
    func directory() -> String { root + "/" + UUID().uuidString }

    func start(_ instance: String, dataDirectory: String?) async throws -> Bus {
        var configuration = BusConfiguration(kafka: kafka.configuration, instance: instance)
        configuration.kafka.operationTimeout = .seconds(15)
        configuration.dataDirectory = dataDirectory
        return try await Bus.start(contracts: contracts, configuration: configuration, logger: logger)
    }

    func id() async throws -> String {
        try await KafkaAdmin.make(configuration: kafka.configuration, logger: logger).clusterID()
    }

    /// `count` residents provided on resident-change (4 entries).
    func provide(_ count: Int, seed: UInt64 = 1, on bus: Bus) async throws {
        try await Self.provide(count, seed: seed, on: bus)
    }

    static func provide(_ count: Int, seed: UInt64 = 1, on bus: Bus) async throws {
        let layout = try #require(bus.contracts.layout(named: "resident-record"))
        let (jsonl, _) = residentsJSONLines(layout: layout, count: count, seed: seed)
        _ = try await bus.provide(linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
    }

    /// A provide (4 entries), a refusal, and a bulk transfer with a key list (3 entries).
    func writeSomeOfEverything(on bus: Bus) async throws {
        try await provide(3, on: bus)
        await #expect(throws: ProvideError.self) { try await self.provide(1, on: bus, as: "C001") }
        let layout = try #require(bus.contracts.layout(named: "resident-record"))
        let (jsonl, _) = residentsJSONLines(layout: layout, count: 40, seed: 8)
        _ = try await bus.provideBulk(
            linkage: "resident-register-daily", provider: "001", format: .jsonLines,
            chunks: ChunkedBytes(bytes: jsonl, chunkSize: 4096))
    }

    private func provide(_ count: Int, on bus: Bus, as provider: String) async throws {
        let layout = try #require(bus.contracts.layout(named: "resident-record"))
        let (jsonl, _) = residentsJSONLines(layout: layout, count: count, seed: 1)
        _ = try await bus.provide(linkage: "resident-change", provider: provider, records: jsonl, format: .jsonLines)
    }

    /// An in-memory index built from the history topic by an indexer with clients of its own.
    func rebuiltIndex() async throws -> HistoryIndexer {
        let index = try HistoryIndex.open(.memory, topic: BusTopics.history, cluster: try await id(), logger: logger)
        let indexer = try HistoryIndexer(index: index, configuration: kafka.configuration, logger: logger)
        try await indexer.sync()
        return indexer
    }

    /// The names of the index files set aside in `directory`.
    func setAside(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter {
            $0.hasPrefix(HistoryIndex.fileName + ".set-aside-") && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm")
        }
    }
}

/// `count` generated residents in one batch, and their values.
func residentBatch(layout: Layout, count: Int, seed: UInt64) -> (batch: RecordBatch, records: [[String?]]) {
    var generator = ResidentGenerator(layout: layout, seed: seed)
    var batch = RecordBatch(schema: RecordSchema(layout: layout))
    var records: [[String?]] = []
    for _ in 0..<count {
        let values = generator.next()
        records.append(values)
        batch.append(values: values)
    }
    return (batch, records)
}

/// `count` generated residents as JSON Lines, and their values (``BusHarness/residents(_:seed:)`` without a harness).
func residentsJSONLines(layout: Layout, count: Int, seed: UInt64) -> (jsonl: [UInt8], records: [[String?]]) {
    let (batch, records) = residentBatch(layout: layout, count: count, seed: seed)
    let encoder = JSONRecordEncoder(layout: layout, lineTerminated: true)
    var bytes: [UInt8] = []
    for record in 0..<batch.count { bytes += encoder.encode(batch, record: record) }
    return (bytes, records)
}
