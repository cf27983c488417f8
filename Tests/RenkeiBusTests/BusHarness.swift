import Foundation
import Logging
import RenkeiBus
import RenkeiCodec
import RenkeiContracts
import RenkeiKafka
import RenkeiSynthetic

/// A bus on a fresh embedded cluster with the repository's sample contracts.
struct BusHarness {
    static let contractsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("contracts").path

    /// The embedded cluster; on a real one (``realKafkaBootstrap``) tests that need the embedded cluster's
    /// fault injection do not run.
    let embedded: EmbeddedKafka?
    var kafka: EmbeddedKafka { embedded! }
    let bus: Bus
    let contracts: ContractSet
    let logger: Logger

    /// Runs `body` with a fresh harness and always stops it afterwards.
    /// The cluster named by `RENKEI_KAFKA_BOOTSTRAP`, for the suites that run on a real Kafka.
    static let realKafkaBootstrap: [String]? = ProcessInfo.processInfo.environment["RENKEI_KAFKA_BOOTSTRAP"].map {
        $0.split(separator: ",").map(String.init)
    }

    static func with<Result>(
        contracts directory: String = contractsDirectory, realCluster: Bool = false,
        configure: (inout BusConfiguration) -> Void = { _ in },
        _ body: (BusHarness) async throws -> Result
    ) async throws -> Result {
        let harness = try await start(contracts: directory, realCluster: realCluster, configure: configure)
        do {
            let result = try await body(harness)
            await harness.stop()
            return result
        } catch {
            await harness.stop()
            throw error
        }
    }

    static func start(
        contracts directory: String = contractsDirectory, instance: String = "test-\(UUID().uuidString.prefix(8))",
        realCluster: Bool = false, configure: (inout BusConfiguration) -> Void = { _ in }
    ) async throws -> BusHarness {
        let contracts = try ContractLoader.load(directory: directory)
        var logger = Logger(label: "renkei.test")
        logger.logLevel = .critical
        let kafka = realCluster ? nil : try EmbeddedKafka.start(brokers: 1, logger: logger)
        var configuration = BusConfiguration(
            kafka: kafka?.configuration ?? KafkaConfiguration(bootstrapServers: realKafkaBootstrap ?? []),
            instance: instance)
        configuration.kafka.operationTimeout = .seconds(15)
        configure(&configuration)
        let bus = try await Bus.start(contracts: contracts, configuration: configuration, logger: logger)
        return BusHarness(embedded: kafka, bus: bus, contracts: contracts, logger: logger)
    }

    func stop() async {
        await bus.shutdown()
        embedded?.shutdown()
    }

    var layout: Layout { contracts.layout(named: "resident-record")! }

    /// `count` generated resident records as JSON Lines, and their values.
    func residents(_ count: Int, seed: UInt64 = 7) -> (jsonl: [UInt8], records: [[String?]]) {
        residentsJSONLines(layout: layout, count: count, seed: seed)
    }

    /// Makes the embedded cluster drop the oldest records of `partitions` of `topic`, as retention does on a broker:
    /// it keeps about 5 MiB per partition, so 7 MiB of filler (no envelope) pushes the oldest out.
    func expireOldestRecords(of topic: String, partitions: [Int32]) async throws {
        let producer = try await KafkaProducer.make(configuration: bus.configuration.kafka, logger: logger)
        let filler = [UInt8](repeating: 0x2E, count: 100 * 1024)
        for partition in partitions {
            try await producer.send(
                Array(
                    repeating: KafkaOutgoingMessage(topic: topic, partition: partition, key: nil, value: filler),
                    count: 70)
            ).throwIfAnyFailed()
        }
        await producer.shutdown()
    }

    /// Every delivery of a receiver's feed, read from the beginning.
    /// Every history entry matching `filter`, oldest first, from the bus's index brought up to the topic's end.
    func history(_ filter: HistoryFilter) async throws -> [HistoryEntry] {
        try await bus.history.sync()
        var entries: [HistoryEntry] = []
        var cursor: HistoryCursor?
        repeat {
            let page = try await bus.history.page(
                HistoryQuery(filter: filter, limit: HistoryQuery.maxLimit, cursor: cursor))
            entries += page.entries
            cursor = page.next
        } while cursor != nil
        return entries.reversed()
    }

    func feed(_ linkage: String, _ receiver: String) async throws -> [ReceivedRecord] {
        let reader = FeedReader(bus: bus)
        var cursor = FeedCursor.start
        var all: [ReceivedRecord] = []
        while true {
            let page = try await reader.read(linkage: linkage, receiver: receiver, after: cursor, limit: 1000)
            all += page.deliveries
            cursor = page.next
            if !page.hasMore && page.next.transfer == nil { return all }
        }
    }
}

extension ReceivedRecord {
    /// The delivered JSON object's field keys.
    var fieldKeys: Set<String> {
        let object = (try? JSONSerialization.jsonObject(with: Data(value))) as? [String: Any]
        return Set(object?.keys.map { $0 } ?? [])
    }
}

extension BusHarness {
    /// `count` generated residents as CSV with item names in the header, and their values.
    func residentsCSV(_ count: Int, seed: UInt64 = 11) -> (csv: [UInt8], records: [[String?]]) {
        let (batch, records) = residentBatch(layout: layout, count: count, seed: seed)
        let encoder = CSVRecordEncoder(layout: layout)
        let writer = ByteWriter()
        encoder.encodeHeader(into: writer)
        for record in 0..<batch.count { encoder.encode(batch, record: record, into: writer) }
        return (writer.bytes, records)
    }
}

/// Hands out bytes in chunks of a fixed size, like a request body arriving; can fail after some chunks.
struct ChunkedBytes: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    struct Interrupted: Error {}

    let chunks: ByteChunks
    /// Throw instead of handing out chunk number `failAt` (0-based), after a pause: a client that stalls, then
    /// drops the connection (the pause lets chunks already sent reach the broker).
    let failAt: Int?

    init(bytes: [UInt8], chunkSize: Int, failAt: Int? = nil) {
        self.chunks = ByteChunks(bytes, chunkSize: chunkSize)
        self.failAt = failAt
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var chunks: ByteChunks.AsyncIterator
        let failAt: Int?
        var index = 0
        mutating func next() async throws -> [UInt8]? {
            if index == failAt {
                try await Task.sleep(for: .milliseconds(300))
                throw Interrupted()
            }
            index += 1
            return await chunks.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: chunks.makeAsyncIterator(), failAt: failAt) }
}

/// A copy of the sample contracts with one text replaced in one file, for tests that need a contract changed.
func contractsCopy(editing file: String, replacing old: String, with new: String) throws -> String {
    let target = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-contracts-\(UUID())").path
    try FileManager.default.copyItem(atPath: BusHarness.contractsDirectory, toPath: target)
    let path = target + "/" + file
    let text = try String(contentsOfFile: path, encoding: .utf8)
    precondition(text.contains(old), "\(file) does not contain \(old)")
    try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
    return target
}
