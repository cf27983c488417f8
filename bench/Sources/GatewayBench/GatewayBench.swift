import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import RenkeiBus
import RenkeiCodec
import RenkeiContracts
import RenkeiGateway
import RenkeiKafka
import RenkeiSynthetic
import Synchronization

/// The gateway over HTTP on the embedded cluster: the real application (`buildApplication`, the sample contracts,
/// the demo secrets) listening on loopback, called with async-http-client and a client_secret_basic token.
///
/// 1. Single-record provide latency: sequential `POST /linkages/resident-change/records` of one generated resident
///    each, timed until the 201 (sent only after the Kafka transaction committed); the same with 8 concurrent
///    clients; and, for comparison, `Bus.provide` of the same kind of record without HTTP, in the same process.
/// 2. Bulk throughput: one `POST /linkages/resident-register-daily/transfers` with a streamed CSV body, timed until
///    the 201 whose transfer status is `committed`; and `Bus.provideBulk` of the same bytes without HTTP.
/// 3. With `--during-bulk N`: single provides over HTTP while an N-record transfer uploads (``ProvidesDuringBulk``).
///
/// Receiver 017's webhook is pointed at a sink in this process answering 204, so the push dispatcher of
/// resident-change does its real work during the run instead of retrying a closed port.
@main
struct GatewayBench {
    struct Options {
        var contracts = "../contracts"
        var single = 2000
        var warmup = 200
        var concurrency = 8
        var bulk: [Int] = [200_000]
        var label = "run"
        var dispatchers = true
        var lingerMilliseconds: Int?
        var duringBulk = 0
        var kafka: [String: String] = [:]

        init(_ arguments: [String]) {
            var index = 1
            func value() -> String {
                index += 1
                return index < arguments.count ? arguments[index] : ""
            }
            while index < arguments.count {
                switch arguments[index] {
                case "--contracts": contracts = value()
                case "--single": single = Int(value()) ?? single
                case "--warmup": warmup = Int(value()) ?? warmup
                case "--concurrency": concurrency = Int(value()) ?? concurrency
                case "--bulk": bulk = value().split(separator: ",").compactMap { Int($0) }
                case "--label": label = value()
                case "--no-dispatchers": dispatchers = false
                case "--linger": lingerMilliseconds = Int(value())
                case "--during-bulk": duringBulk = Int(value()) ?? duringBulk
                case "--kafka":
                    let pair = value().split(separator: "=", maxSplits: 1).map(String.init)
                    if pair.count == 2 { kafka[pair[0]] = pair[1] }
                default: break
                }
                index += 1
            }
        }
    }

    static func main() async throws {
        let options = Options(CommandLine.arguments)
        var logger = Logger(label: "renkei.bench.gateway")
        logger.logLevel = .critical
        let sink = try await Sink.start(logger: logger)
        let contracts = try loadContracts(options.contracts, webhook: sink.url)
        let layout = contracts.layout(named: "resident-record")!

        let kafka = try EmbeddedKafka.start(brokers: 1, logger: logger)
        var busConfiguration = BusConfiguration(kafka: kafka.configuration, instance: "gwbench-\(options.label)")
        busConfiguration.bulkPartitions = 64
        busConfiguration.kafka.additionalConfig.merge(options.kafka) { $1 }
        if let linger = options.lingerMilliseconds { busConfiguration.kafka.producer.linger = .milliseconds(linger) }
        let bus = try await Bus.start(contracts: contracts, configuration: busConfiguration, logger: logger)
        var configuration = GatewayConfiguration()
        configuration.port = 0
        configuration.tokenLifetime = .seconds(3600)
        configuration.runsDispatchers = options.dispatchers
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try await buildApplication(
            bus: bus, secrets: ClientSecrets.demo(for: contracts), configuration: configuration, logger: logger,
            onServerRunning: { port in continuation.yield(port) })
        let server = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { fatalError("the gateway did not start") }
        let client = Client(base: "http://127.0.0.1:\(port)", connections: options.concurrency)
        let token = try await client.token(id: "sys-001", secret: "renkei-demo-client-secret-for-001")

        // 1. Single records.
        let records = Residents.json(layout: layout, count: options.warmup + options.single * 2, seed: 7)
        let path = "/linkages/resident-change/records"
        for record in records.prefix(options.warmup) {
            _ = try await client.provide(path, token: token, body: record)
        }
        var next = options.warmup
        func take(_ count: Int) -> ArraySlice<[UInt8]> {
            defer { next += count }
            return records[next..<next + count]
        }

        let sequential = try await timed(take(options.single), concurrency: 1) { record in
            _ = try await client.provide(path, token: token, body: record)
        }
        report("http-provide-1   c=1", sequential)
        let concurrent = try await timed(take(options.single), concurrency: options.concurrency) { record in
            _ = try await client.provide(path, token: token, body: record)
        }
        report("http-provide-1   c=\(options.concurrency)", concurrent)

        let direct = Residents.json(layout: layout, count: options.single * 2, seed: 11)
        let busSequential = try await timed(direct.prefix(options.single), concurrency: 1) { record in
            _ = try await bus.provide(linkage: "resident-change", provider: "001", records: record)
        }
        report("bus-provide-1    c=1", busSequential)
        let busConcurrent = try await timed(direct.suffix(options.single), concurrency: options.concurrency) {
            record in
            _ = try await bus.provide(linkage: "resident-change", provider: "001", records: record)
        }
        report("bus-provide-1    c=\(options.concurrency)", busConcurrent)

        // The Kafka transaction alone: 5 messages of ~1 KB to 5 topics (4 receivers' copies and a history entry, as
        // one resident-change provide writes), on a transactional producer of its own with the bus's settings.
        var raw = busConfiguration.kafka
        raw.producer.transactionalID = "gwbench-raw-\(options.label)"
        let topics = (0..<5).map { "gwbench-raw-\($0)" }
        for topic in topics { try kafka.createTopic(topic, partitions: 4) }
        let producer = try await KafkaProducer.make(configuration: raw, logger: logger)
        let payload = [UInt8](repeating: 0x61, count: 1000)
        let transactions = try await timed(direct.prefix(options.single), concurrency: 1) { _ in
            _ = try await producer.sendTransactionally(
                topics.map { KafkaOutgoingMessage(topic: $0, key: Array("k".utf8), value: payload) })
        }
        report("kafka-txn-5msg   c=1", transactions)
        await producer.shutdown()

        // 2. Bulk transfers.
        for count in options.bulk {
            let csv = Residents.csv(layout: layout, count: count, seed: 1)
            let megabytes = Double(csv.count) / 1_000_000
            let start = ContinuousClock.now
            let reply = try await client.transfer(
                "/linkages/resident-register-daily/transfers", token: token, csv: csv)
            let seconds = elapsed(since: start)
            say(
                String(
                    format:
                        "http-bulk        %7d records, %.1f MB CSV: %.2f s = %.0f records/s, %.1f MB/s (HTTP %d, status %@, accepted %d)",
                    count, megabytes, seconds, Double(count) / seconds, megabytes / seconds, reply.status,
                    reply.state, reply.accepted))
            let busStart = ContinuousClock.now
            let receipt = try await bus.provideBulk(
                linkage: "resident-register-daily", provider: "001", format: .csv, chunks: ByteChunks(csv))
            let busSeconds = elapsed(since: busStart)
            say(
                String(
                    format:
                        "bus-bulk         %7d records, %.1f MB CSV: %.2f s = %.0f records/s, %.1f MB/s (accepted %d)",
                    count, megabytes, busSeconds, Double(count) / busSeconds, megabytes / busSeconds,
                    receipt.accepted))
        }
        if options.duringBulk > 0 {
            try await ProvidesDuringBulk.run(client: client, token: token, layout: layout, records: options.duringBulk)
        }
        say("webhook sink: \(sink.received.count) pushes received")

        try await client.http.shutdown()
        server.cancel()
        _ = await server.result
        await sink.stop()
        await bus.shutdown()
        kafka.shutdown()
    }

    static func loadContracts(_ directory: String, webhook: String) throws -> ContractSet {
        let loaded = try ContractLoader.load(directory: directory)
        let systems = loaded.systems.map { system -> RenkeiContracts.System in
            var system = system
            if system.endpoints.webhook != nil { system.endpoints.webhook = webhook }
            return system
        }
        return ContractSet(
            systems: systems, codeTables: loaded.codeTables, layouts: loaded.layouts, linkages: loaded.linkages,
            operators: loaded.operators)
    }

    // MARK: Timing

    struct Latencies {
        var milliseconds: [Double]
        var seconds: Double
    }

    /// Runs `body` on every element, `concurrency` at a time (each worker takes the next element), and returns
    /// each call's wall time and the wall time of all.
    static func timed(
        _ elements: ArraySlice<[UInt8]>, concurrency: Int,
        _ body: @escaping @Sendable ([UInt8]) async throws -> Void
    ) async throws -> Latencies {
        let items = Array(elements)
        let cursor = Counter()
        let start = ContinuousClock.now
        let all = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var mine: [Double] = []
                    while true {
                        let index = cursor.value.wrappingAdd(1, ordering: .relaxed).oldValue
                        guard index < items.count else { return mine }
                        let begin = ContinuousClock.now
                        try await body(items[index])
                        mine.append(elapsed(since: begin) * 1000)
                    }
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all
        }
        return Latencies(milliseconds: all, seconds: elapsed(since: start))
    }

    static func report(_ name: String, _ latencies: Latencies) {
        let sorted = latencies.milliseconds.sorted()
        func percentile(_ q: Double) -> Double {
            sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
        }
        say(
            String(
                format: "%@ n=%d  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms  %.0f req/s",
                name, sorted.count, percentile(0.50), percentile(0.90), percentile(0.99), sorted.last ?? 0,
                Double(sorted.count) / latencies.seconds))
    }

    static func elapsed(since start: ContinuousClock.Instant) -> Double {
        let duration = ContinuousClock.now - start
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Prints a line unbuffered, so that it is not lost if the process dies later.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// The HTTP client side: one keep-alive pool on loopback.
struct Client: Sendable {
    let base: String
    let http: HTTPClient

    /// A pool of up to `connections` connections to the gateway: async-http-client keeps 8 per host by default,
    /// so more concurrent requests than that would queue in the client and measure its pool, not the gateway.
    init(base: String, connections: Int) {
        self.base = base
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, connections)
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    struct Failure: Error, CustomStringConvertible {
        var status: Int
        var body: String
        var description: String { "HTTP \(status): \(body)" }
    }

    func token(id: String, secret: String) async throws -> String {
        var request = HTTPClientRequest(url: base + "/oauth/token")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(
            name: "Authorization", value: "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString())
        request.body = .bytes(ByteBuffer(string: "grant_type=client_credentials"))
        let (status, body) = try await send(request)
        let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        guard status == 200, let token = object?["access_token"] as? String else {
            throw Failure(status: status, body: String(decoding: body, as: UTF8.self))
        }
        return token
    }

    /// One provide; returns when the 201 and its body arrived.
    func provide(_ path: String, token: String, body: [UInt8]) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let (status, reply) = try await send(request)
        guard status == 201 else { throw Failure(status: status, body: String(decoding: reply, as: UTF8.self)) }
        return reply
    }

    /// One bulk transfer with the CSV streamed in 256 KiB chunks.
    func transfer(
        _ path: String, token: String, csv: [UInt8]
    ) async throws -> (
        status: Int, state: String, accepted: Int
    ) {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "text/csv")
        request.body = .stream(BodyChunks(bytes: csv, size: 256 * 1024), length: .known(Int64(csv.count)))
        let (status, reply) = try await send(request, timeout: .minutes(10))
        let object = try JSONSerialization.jsonObject(with: Data(reply)) as? [String: Any] ?? [:]
        guard status == 201 else { throw Failure(status: status, body: String(decoding: reply, as: UTF8.self)) }
        return (status, object["status"] as? String ?? "?", object["accepted"] as? Int ?? -1)
    }

    private func send(
        _ request: HTTPClientRequest, timeout: TimeAmount = .seconds(30)
    ) async throws -> (
        Int, [UInt8]
    ) {
        let response = try await http.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return (Int(response.status.code), Array(buffer: body))
    }
}

/// A webhook receiver in this process that answers every push with 204.
struct Sink: Sendable {
    let url: String
    let received: Counter
    let task: Task<Void, any Error>

    static func start(logger: Logger) async throws -> Sink {
        let received = Counter()
        let router = Router()
        router.post("/renkei/events") { _, _ -> HTTPResponse.Status in
            received.value.wrappingAdd(1, ordering: .relaxed)
            return .noContent
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        return Sink(url: "http://127.0.0.1:\(port)/renkei/events", received: received, task: task)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// A shareable counter.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
    var count: Int { value.load(ordering: .relaxed) }
}

/// Generated residents in the gateway's wire formats.
enum Residents {
    /// `count` records, each one JSON object.
    static func json(layout: Layout, count: Int, seed: UInt64) -> [[UInt8]] {
        var generator = ResidentGenerator(layout: layout, seed: seed)
        let encoder = JSONRecordEncoder(layout: layout)
        var batch = RecordBatch(schema: RecordSchema(layout: layout))
        var records: [[UInt8]] = []
        records.reserveCapacity(count)
        for _ in 0..<count {
            batch.append(values: generator.next())
            records.append(encoder.encode(batch, record: batch.count - 1))
            if batch.count == 4096 { batch = RecordBatch(schema: RecordSchema(layout: layout)) }
        }
        return records
    }

    /// `count` records as CSV with the header row.
    static func csv(layout: Layout, count: Int, seed: UInt64) -> [UInt8] {
        var generator = ResidentGenerator(layout: layout, seed: seed)
        let writer = ByteWriter(capacity: count * 300)
        let encoder = CSVRecordEncoder(layout: layout)
        encoder.encodeHeader(into: writer)
        var batch = RecordBatch(schema: RecordSchema(layout: layout))
        for _ in 0..<count {
            batch.append(values: generator.next())
            encoder.encode(batch, record: batch.count - 1, into: writer)
            if batch.count == 4096 { batch = RecordBatch(schema: RecordSchema(layout: layout)) }
        }
        return writer.bytes
    }
}

/// A byte array as a request body, `size` bytes at a time.
struct BodyChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let bytes: [UInt8]
    let size: Int
    struct AsyncIterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let size: Int
        var position = 0
        mutating func next() async -> ByteBuffer? {
            guard position < bytes.count else { return nil }
            let end = Swift.min(position + size, bytes.count)
            defer { position = end }
            return ByteBuffer(bytes: bytes[position..<end])
        }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes, size: size) }
}
