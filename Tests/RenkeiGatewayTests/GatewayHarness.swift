import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import RenkeiBus
import RenkeiContracts
import RenkeiKafka
import ServiceLifecycle
import Synchronization

@testable import RenkeiGateway

/// A gateway on a fresh embedded cluster with the repository's contracts, served over loopback on a free port.
/// `adjust` may change the contracts first (webhook and query endpoints of local test servers, fast back-off).
final class GatewayHarness: Sendable {
    static let contractsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("contracts").path
    static let signingKey = Array("gateway-test-signing-key-of-32-bytes-or-more".utf8)

    /// The embedded cluster; `nil` when the harness runs on a real one (``realKafkaBootstrap``).
    let kafka: EmbeddedKafka?
    let bus: Bus
    let base: String
    let configuration: GatewayConfiguration
    private let task: Task<Void, any Error>

    private init(
        kafka: EmbeddedKafka?, bus: Bus, base: String, configuration: GatewayConfiguration, task: Task<Void, any Error>
    ) {
        self.kafka = kafka
        self.bus = bus
        self.base = base
        self.configuration = configuration
        self.task = task
    }

    static func with<Result>(
        webhook: String? = nil, queryEndpoint: String? = nil, realCluster: Bool = false, dataDirectory: String? = nil,
        contracts: ContractSet? = nil, configure: (inout GatewayConfiguration) -> Void = { _ in },
        _ body: (GatewayHarness) async throws -> Result
    ) async throws -> Result {
        let harness = try await start(
            webhook: webhook, queryEndpoint: queryEndpoint, realCluster: realCluster, dataDirectory: dataDirectory,
            contracts: contracts, configure: configure)
        do {
            let result = try await body(harness)
            await harness.stop()
            return result
        } catch {
            await harness.stop()
            throw error
        }
    }

    static func contracts(webhook: String?, queryEndpoint: String?) throws -> ContractSet {
        let loaded = try ContractLoader.load(directory: contractsDirectory)
        let systems = loaded.systems.map { system -> RenkeiContracts.System in
            var system = system
            if system.id == "017" { system.endpoints.webhook = webhook }
            if system.id == "001" { system.endpoints.query = queryEndpoint }
            return system
        }
        let linkages = loaded.linkages.map { linkage -> Linkage in
            var linkage = linkage
            linkage.failurePolicy.pushAttempts = 3
            linkage.failurePolicy.initialBackoffMilliseconds = 20
            linkage.failurePolicy.maxBackoffMilliseconds = 100
            return linkage
        }
        return ContractSet(
            systems: systems, codeTables: loaded.codeTables, layouts: loaded.layouts, linkages: linkages,
            operators: loaded.operators)
    }

    /// The cluster named by `RENKEI_KAFKA_BOOTSTRAP`, for the suites that run on a real Kafka.
    static let realKafkaBootstrap: [String]? = ProcessInfo.processInfo.environment["RENKEI_KAFKA_BOOTSTRAP"].map {
        $0.split(separator: ",").map(String.init)
    }

    static func start(
        webhook: String?, queryEndpoint: String?, realCluster: Bool = false, dataDirectory: String? = nil,
        contracts given: ContractSet? = nil, configure: (inout GatewayConfiguration) -> Void
    ) async throws -> GatewayHarness {
        let contracts = try given ?? contracts(webhook: webhook, queryEndpoint: queryEndpoint)
        var logger = Logger(label: "renkei.gateway.test")
        logger.logLevel = .critical
        let kafka = realCluster ? nil : try EmbeddedKafka.start(brokers: 1, logger: logger)
        var busConfiguration = BusConfiguration(
            kafka: kafka?.configuration ?? KafkaConfiguration(bootstrapServers: realKafkaBootstrap ?? []),
            instance: "gw-\(UUID().uuidString.prefix(8))")
        busConfiguration.kafka.operationTimeout = .seconds(15)
        busConfiguration.kafka.consumer.sessionTimeout = .seconds(3)
        busConfiguration.kafka.consumer.heartbeatInterval = .milliseconds(500)
        busConfiguration.dataDirectory = dataDirectory
        let bus = try await Bus.start(contracts: contracts, configuration: busConfiguration, logger: logger)
        var configuration = GatewayConfiguration()
        configuration.port = 0
        configuration.tokenSigningKey = signingKey
        configuration.queryTimeout = .seconds(10)
        configure(&configuration)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let gateway: GatewayServices
        do {
            gateway = try await buildGateway(
                bus: bus, secrets: ClientSecrets.demo(for: contracts), configuration: configuration, logger: logger,
                onServerRunning: { port in continuation.yield(port) })
        } catch {
            await bus.shutdown()
            kafka?.shutdown()
            throw error
        }
        // As `renkei serve` runs them: one service group for the HTTP application and the delivery service.
        let group = ServiceGroup(services: gateway.services, logger: logger)
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HarnessError.notStarted }
        return GatewayHarness(
            kafka: kafka, bus: bus, base: "http://127.0.0.1:\(port)", configuration: configuration, task: task)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
        await bus.shutdown()
        kafka?.shutdown()
    }

    enum HarnessError: Error { case notStarted }

    /// `METHOD /path` of every route the gateway's router serves.
    var routes: [String] {
        get async throws {
            var logger = Logger(label: "renkei.gateway.test")
            logger.logLevel = .critical
            let queries = try await QueryClient.start(bus: bus)
            let tokens = await TokenService.make(
                contracts: bus.contracts, secrets: ClientSecrets.demo(for: bus.contracts), configuration: configuration)
            let gateway = Gateway(
                bus: bus, tokens: tokens, configuration: configuration, queries: queries, logger: logger)
            let routes = buildRouter(gateway).routes.map { "\($0.method) \($0.path)" }
            await queries.shutdown()
            return routes
        }
    }

    // MARK: HTTP

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func call(
        _ method: HTTPMethod, _ path: String, token: String? = nil, contentType: String? = nil, body: [UInt8]? = nil,
        headers: [(String, String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Array(buffer: bytes))
    }

    /// An access token by client_secret_basic with the demo secret of `client`.
    func token(_ client: String, secret: String? = nil, scope: String? = nil) async throws -> String {
        let reply = try await tokenRequest(client, secret: secret, scope: scope)
        guard reply.status == 200, let token = reply.json["access_token"] as? String else {
            throw TokenFailure(status: reply.status, body: reply.text)
        }
        return token
    }

    func tokenRequest(_ client: String, secret: String? = nil, scope: String? = nil) async throws -> Reply {
        let secret = secret ?? Self.demoSecret(client)
        let credentials = Data("\(client):\(secret)".utf8).base64EncodedString()
        var form = "grant_type=client_credentials"
        if let scope { form += "&scope=" + scope.replacingOccurrences(of: " ", with: "+") }
        return try await call(
            .POST, "/oauth/token", contentType: "application/x-www-form-urlencoded", body: Array(form.utf8),
            headers: [("Authorization", "Basic \(credentials)")])
    }

    static func demoSecret(_ client: String) -> String {
        ClientSecrets.demoClientSecret(client.hasPrefix("sys-") ? String(client.dropFirst(4)) : client)
    }

    struct TokenFailure: Error { var status: Int; var body: String }

    /// Every record of `linkage`'s feed for the token's system, page by page of `limit`.
    func readFeed(
        _ linkage: String, token: String, limit: Int = 100, from cursor: String = ""
    ) async throws
        -> (records: [[String: Any]], cursor: String)
    {
        var cursor = cursor
        var records: [[String: Any]] = []
        while true {
            let reply = try await call(.GET, "/linkages/\(linkage)/feed?limit=\(limit)&cursor=\(cursor)", token: token)
            guard reply.status == 200 else { throw TokenFailure(status: reply.status, body: reply.text) }
            let page = reply.json
            records += page["records"] as? [[String: Any]] ?? []
            cursor = page["next"] as? String ?? cursor
            if page["hasMore"] as? Bool != true { return (records, cursor) }
        }
    }
}

/// A small HTTP server on a free loopback port whose answers a test scripts; it records what it received.
final class TestServer: Sendable {
    struct Received: Sendable {
        var headers: [String: String]
        var body: [UInt8]
    }

    let url: String
    private let received = Mutex<[Received]>([])
    private let task: Task<Void, any Error>

    private init(url: String, task: Task<Void, any Error>) {
        self.url = url
        self.task = task
    }

    /// `answer` gets the 0-based number of the request and its body, and returns status and body.
    static func start(
        path: String, answer: @escaping @Sendable (Int, [UInt8]) async -> (Int, [UInt8])
    ) async throws -> TestServer {
        let received = Mutex<[Received]>([])
        let router = Router()
        let box = Mutex<TestServer?>(nil)
        router.post(RouterPath(path)) { request, _ -> Response in
            var request = request
            let body = Array(buffer: try await request.collectBody(upTo: 16 * 1024 * 1024))
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let number = received.withLock { list in
                list.append(Received(headers: headers, body: body))
                return list.count - 1
            }
            box.withLock { $0 }?.received.withLock { $0.append(Received(headers: headers, body: body)) }
            let (status, reply) = await answer(number, body)
            return Response(
                status: .init(code: status), headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "renkei.test.server")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        let server = TestServer(url: "http://127.0.0.1:\(port)\(path)", task: task)
        box.withLock { $0 = server }
        return server
    }

    var requests: [Received] { received.withLock { $0 } }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}
