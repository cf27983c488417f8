import Foundation
import Logging
import RenkeiBus
import RenkeiCodec
import RenkeiContracts
import RenkeiKafka
import RenkeiSynthetic

/// 1,000,000 generated residents as CSV, provided in one bulk transfer to the three receivers of
/// `resident-register-daily` (three different projections), on the embedded cluster, through to committed.
/// Also times the codec work alone (decode, validate, three projections to JSON Lines) on the same input, to
/// show how much of the total is Kafka.
@main
struct BusBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        let count = arguments.count > 1 ? Int(arguments[1]) ?? 1_000_000 : 1_000_000
        let runs = arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3
        let contractsDirectory = arguments.count > 3 ? arguments[3] : "../contracts"
        let contracts = try ContractLoader.load(directory: contractsDirectory)
        let linkage = contracts.linkage("resident-register-daily")!
        let layout = contracts.layout(linkage.layout)!
        let csv = generateCSV(layout: layout, count: count)
        print("input: \(count) residents, \(csv.count / 1_000_000) MB of CSV, \(linkage.receivers.count) receivers")

        var best = (codec: Double.infinity, bus: Double.infinity)
        for run in 1...runs {
            let codec = codecOnly(csv: csv, layout: layout, linkage: linkage)
            let bus = try await throughBus(csv: csv, contracts: contracts, run: run)
            best = (min(best.codec, codec), min(best.bus, bus))
            print(String(format: "run %d: codec only %.2f s, through the bus to committed %.2f s", run, codec, bus))
        }
        print(
            String(
                format:
                    "bus-bulk-1M  %d records in %.2f s = %.0f records/s (codec alone %.2f s = %.0f%% of it); goal <= 3 s",
                count, best.bus, Double(count) / best.bus, best.codec, best.codec / best.bus * 100))
    }

    static func generateCSV(layout: Layout, count: Int) -> [UInt8] {
        var generator = ResidentGenerator(layout: layout, seed: 1)
        let schema = RecordSchema(layout: layout)
        let writer = ByteWriter(capacity: count * 300)
        let encoder = CSVRecordEncoder(layout: layout)
        encoder.encodeHeader(into: writer)
        var batch = RecordBatch(schema: schema)
        for _ in 0..<count {
            batch.append(values: generator.next())
            encoder.encode(batch, record: batch.count - 1, into: writer)
            if batch.count == 4096 { batch = RecordBatch(schema: schema) }
        }
        return writer.bytes
    }

    /// Decode + validate + encode every receiver's projection, no Kafka: the codec's share of the work.
    static func codecOnly(csv: [UInt8], layout: Layout, linkage: Linkage) -> Double {
        let schema = RecordSchema(layout: layout)
        let encoders = linkage.receivers.map {
            JSONRecordEncoder(projection: Projection(layout: layout, keys: $0.items), lineTerminated: true)
        }
        let writers = encoders.map { _ in ByteWriter(capacity: 1 << 21) }
        var decoder = CSVRecordDecoder(schema: schema)
        var produced = 0
        let start = ContinuousClock.now
        csv.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + (1 << 20), bytes.count)
                decoder.decode(UnsafeRawBufferPointer(rebasing: bytes[offset..<end])) { batch in
                    for record in 0..<batch.count where batch.isValid(record) {
                        for (encoder, writer) in zip(encoders, writers) {
                            encoder.encode(batch, record: record, into: writer)
                            if writer.count > 1 << 20 {
                                produced += writer.count
                                writer.clear()
                            }
                        }
                    }
                }
                offset = end
            }
        }
        let seconds = elapsed(since: start)
        precondition(produced > 0)
        return seconds
    }

    static func throughBus(csv: [UInt8], contracts: ContractSet, run: Int) async throws -> Double {
        var logger = Logger(label: "renkei.bench")
        logger.logLevel = .critical
        let kafka = try EmbeddedKafka.start(brokers: 1, logger: logger)
        var configuration = BusConfiguration(kafka: kafka.configuration, instance: "bench-\(run)")
        configuration.bulkPartitions = 64
        if let codec = ProcessInfo.processInfo.environment["BUS_BENCH_COMPRESSION"],
            let compression = KafkaConfiguration.ProducerOptions.Compression(rawValue: codec)
        {
            configuration.compression = compression
        }
        let bus = try await Bus.start(contracts: contracts, configuration: configuration, logger: logger)
        let start = ContinuousClock.now
        let receipt = try await bus.provideBulk(
            linkage: "resident-register-daily", provider: "001", format: .csv, chunks: ByteChunks(csv))
        let seconds = elapsed(since: start)
        precondition(receipt.accepted > 0)
        await bus.shutdown()
        kafka.shutdown()
        return seconds
    }

    static func elapsed(since start: ContinuousClock.Instant) -> Double {
        let duration = ContinuousClock.now - start
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
