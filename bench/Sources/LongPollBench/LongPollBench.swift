import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import RenkeiBus
import RenkeiCodec
import RenkeiContracts
import RenkeiGateway
import RenkeiKafka
import RenkeiSynthetic
import Synchronization

/// Long polls on the real gateway over HTTP, on the embedded cluster, all in this process:
///
/// 1. `--pollers` clients (default 500) each hold `GET /linkages/resident-change/feed?wait=30` open, spread evenly
///    over the linkage's four receivers, and poll again with the returned cursor as soon as a page comes back.
/// 2. Idle: with every poll waiting and nothing provided, the process's CPU time (user + system, all threads, from
///    getrusage) over `--idle` seconds: what waiting costs the server (the clients only wait on sockets).
/// 3. Load: one record provided over HTTP every 1/`--rate` seconds for `--seconds`; for each record, every poller of
///    every receiver must see it. Latency = the poll's return − the provide's 201 (negative, when the poll came back
///    first, counts as 0), and − the provide's send, as percentiles over every (record, poller) pair.
/// 4. librdkafka clients open before the pollers start, while they wait, and after the load.
@main
struct LongPollBench {
    struct Options {
        var contracts = "../contracts"
        var pollers = 500
        var rate = 50.0
        var seconds = 10.0
        var idle = 10.0
        var wait = 30
        var fetchWait: Int?

        init(_ arguments: [String]) {
            var index = 1
            func value() -> String {
                index += 1
                return index < arguments.count ? arguments[index] : ""
            }
            while index < arguments.count {
                switch arguments[index] {
                case "--contracts": contracts = value()
                case "--pollers": pollers = Int(value()) ?? pollers
                case "--rate": rate = Double(value()) ?? rate
                case "--seconds": seconds = Double(value()) ?? seconds
                case "--idle": idle = Double(value()) ?? idle
                case "--wait": wait = Int(value()) ?? wait
                case "--fetch-wait": fetchWait = Int(value())
                default: break
                }
                index += 1
            }
        }
    }

    static func main() async throws {
        let options = Options(CommandLine.arguments)
        var logger = Logger(label: "renkei.bench.longpoll")
        logger.logLevel = .critical
        let contracts = try ContractLoader.load(directory: options.contracts)
        let layout = contracts.layout(named: "resident-record")!
        let receivers = contracts.linkage("resident-change")!.receivers.map(\.system)

        let kafka = try EmbeddedKafka.start(brokers: 1, logger: logger)
        var busConfiguration = BusConfiguration(kafka: kafka.configuration, instance: "lpbench")
        if let fetchWait = options.fetchWait { busConfiguration.feedFetchWait = .milliseconds(fetchWait) }
        let bus = try await Bus.start(contracts: contracts, configuration: busConfiguration, logger: logger)
        var configuration = GatewayConfiguration()
        configuration.port = 0
        configuration.tokenLifetime = .seconds(3600)
        configuration.runsDispatchers = false
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try await buildApplication(
            bus: bus, secrets: ClientSecrets.demo(for: contracts), configuration: configuration, logger: logger,
            onServerRunning: { port in continuation.yield(port) })
        let server = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { fatalError("the gateway did not start") }
        let base = "http://127.0.0.1:\(port)"
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = options.pollers + 16
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
        let providerToken = try await token(http, base, "sys-001", "renkei-demo-client-secret-for-001")
        var tokens: [String: String] = [:]
        for receiver in receivers {
            let client = contracts.system(receiver)?.credentials?.clientID ?? "sys-\(receiver.lowercased())"
            tokens[receiver] = try await token(http, base, client, "renkei-demo-client-secret-for-\(receiver.lowercased())")
        }

        let clientsBefore = Bus.openKafkaClients
        let state = PollState()
        let pollers = Task {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<options.pollers {
                    let receiver = receivers[index % receivers.count]
                    let token = tokens[receiver]!
                    group.addTask {
                        var cursor = ""
                        while !state.isStopped {
                            let page: (ids: [String], next: String)
                            do {
                                page = try await feed(http, base, token: token, cursor: cursor, wait: options.wait)
                            } catch {
                                state.failed(error)
                                try? await Task.sleep(for: .milliseconds(100))
                                continue
                            }
                            let now = ContinuousClock.now
                            state.returned(ids: page.ids, at: now)
                            cursor = page.next
                        }
                    }
                }
            }
        }
        // Every poller's first page (empty topics) comes back only after `wait`; give them time to be waiting.
        try await Task.sleep(for: .seconds(2))
        let clientsWaiting = Bus.openKafkaClients
        let idleStart = cpuSeconds()
        let idleWall = ContinuousClock.now
        try await Task.sleep(for: .seconds(options.idle))
        let idleCPU = cpuSeconds() - idleStart
        let idleSeconds = seconds(ContinuousClock.now - idleWall)
        say(
            String(
                format: "idle     %d long polls waiting for %.1f s: process CPU %.3f s = %.2f %% of one core",
                options.pollers, idleSeconds, idleCPU, 100 * idleCPU / idleSeconds))

        let records = residents(layout: layout, count: Int(options.rate * options.seconds) + 1)
        let interval = Duration.milliseconds(Int(1000 / options.rate))
        let loadStart = ContinuousClock.now
        var next = loadStart
        var provided = 0
        for record in records {
            try await Task.sleep(until: next)
            next += interval
            let sent = ContinuousClock.now
            let reply = try await provide(http, base, token: providerToken, body: record)
            state.provided(ids: reply, sent: sent, acknowledged: ContinuousClock.now)
            provided += 1
            if ContinuousClock.now - loadStart >= .seconds(options.seconds) { break }
        }
        let loadSeconds = seconds(ContinuousClock.now - loadStart)
        // Let the last pages come back.
        try await Task.sleep(for: .seconds(2))
        let clientsAfter = Bus.openKafkaClients
        let (fromAck, fromSend, expected, seen) = state.latencies(pollers: options.pollers)
        say(
            String(
                format: "load     %d provides in %.1f s (%.1f/s), %d of %d (record, poller) deliveries seen",
                provided, loadSeconds, Double(provided) / loadSeconds, seen, expected))
        report("201→poll", fromAck)
        report("send→poll", fromSend)
        for (failure, count) in state.failures { say("failed polls: \(count) × \(failure)") }
        say(
            "clients  librdkafka clients open: \(clientsBefore) before, \(clientsWaiting) with \(options.pollers) polls waiting, \(clientsAfter) after the load"
        )

        state.stop()
        server.cancel()
        _ = await server.result
        pollers.cancel()
        try? await http.shutdown()
        await bus.shutdown()
        kafka.shutdown()
        exit(0)
    }

    static func report(_ name: String, _ milliseconds: [Double]) {
        let sorted = milliseconds.sorted()
        guard !sorted.isEmpty else {
            say("\(name): no samples")
            return
        }
        func percentile(_ q: Double) -> Double {
            sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
        }
        say(
            String(
                format: "%@ n=%d  p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms",
                name.padding(
                    toLength: 9, withPad: " ", startingAt: 0), sorted.count, percentile(0.5), percentile(0.9),
                percentile(0.99), sorted.last!))
    }

    static func residents(layout: Layout, count: Int) -> [[UInt8]] {
        var generator = ResidentGenerator(layout: layout, seed: 5)
        let encoder = JSONRecordEncoder(layout: layout)
        var batch = RecordBatch(schema: RecordSchema(layout: layout))
        return (0..<count).map { _ in
            batch.append(values: generator.next())
            return encoder.encode(batch, record: batch.count - 1)
        }
    }

    static func token(_ http: HTTPClient, _ base: String, _ id: String, _ secret: String) async throws -> String {
        var request = HTTPClientRequest(url: base + "/oauth/token")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Authorization", value: "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString())
        request.body = .bytes(ByteBuffer(string: "grant_type=client_credentials"))
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        return object?["access_token"] as? String ?? ""
    }

    static func provide(_ http: HTTPClient, _ base: String, token: String, body: [UInt8]) async throws -> [String] {
        var request = HTTPClientRequest(url: base + "/linkages/resident-change/records")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await http.execute(request, timeout: .seconds(30))
        let reply = try await response.body.collect(upTo: 1 << 20)
        let object = try JSONSerialization.jsonObject(with: Data(buffer: reply)) as? [String: Any]
        return object?["eventIDs"] as? [String] ?? []
    }

    static func feed(
        _ http: HTTPClient, _ base: String, token: String, cursor: String, wait: Int
    ) async throws -> (ids: [String], next: String) {
        var request = HTTPClientRequest(
            url: base + "/linkages/resident-change/feed?wait=\(wait)&limit=1000&cursor=\(cursor)")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await http.execute(request, timeout: .seconds(Int64(wait + 30)))
        let body = try await response.body.collect(upTo: 16 << 20)
        guard response.status.code == 200 else {
            throw PollFailure(status: Int(response.status.code), body: String(buffer: body).prefix(200).description)
        }
        let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        let ids = (object?["records"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        return (ids, object?["next"] as? String ?? cursor)
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

struct PollFailure: Error, CustomStringConvertible {
    var status: Int
    var body: String
    var description: String { "HTTP \(status): \(body)" }
}

/// When each record was provided and when each poll returned it.
final class PollState: Sendable {
    private struct State {
        var sent: [String: ContinuousClock.Instant] = [:]
        var acknowledged: [String: ContinuousClock.Instant] = [:]
        var returns: [(String, ContinuousClock.Instant)] = []
        var failures: [String: Int] = [:]
    }
    private let state = Mutex(State())
    private let stopped = Atomic<Bool>(false)

    /// Pollers stop after their current poll.
    func stop() { stopped.store(true, ordering: .relaxed) }
    var isStopped: Bool { stopped.load(ordering: .relaxed) }

    func provided(ids: [String], sent: ContinuousClock.Instant, acknowledged: ContinuousClock.Instant) {
        state.withLock { state in
            for id in ids {
                state.sent[id] = sent
                state.acknowledged[id] = acknowledged
            }
        }
    }

    /// A poll that failed (it is retried after 100 ms).
    func failed(_ error: any Error) {
        state.withLock { $0.failures["\(error)", default: 0] += 1 }
    }

    var failures: [String: Int] { state.withLock { $0.failures } }

    func returned(ids: [String], at time: ContinuousClock.Instant) {
        state.withLock { state in for id in ids { state.returns.append((id, time)) } }
    }

    /// Milliseconds from the 201 and from the send to each return; the (record, poller) pairs expected and seen.
    func latencies(pollers: Int) -> ([Double], [Double], Int, Int) {
        state.withLock { state in
            var fromAck: [Double] = []
            var fromSend: [Double] = []
            for (id, time) in state.returns {
                guard let sent = state.sent[id], let acknowledged = state.acknowledged[id] else { continue }
                fromAck.append(max(0, LongPollBench.seconds(time - acknowledged) * 1000))
                fromSend.append(LongPollBench.seconds(time - sent) * 1000)
            }
            return (fromAck, fromSend, state.sent.count * pollers, fromAck.count)
        }
    }
}

/// Prints a line unbuffered.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
