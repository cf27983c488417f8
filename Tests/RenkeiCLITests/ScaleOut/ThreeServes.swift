import Foundation
import Logging
import RenkeiContracts
import RenkeiKafka
import RenkeiTestSupport
import Testing

/// Three `renkei serve` processes on one cluster, as behind a load balancer: `a` hosts the embedded cluster, `b`
/// and `c` reach it with `--brokers`. They share a copy of the sample contracts whose storage locations (008's
/// outbox, 001's inbox) are one folder, as they would share S3, and the token key and public URL, so a token or
/// an assertion made for one is made for all.
struct ThreeServes {
    let contracts: ContractSet
    let contractsDirectory: URL
    let root: URL
    let bootstrap: String
    let admin: KafkaAdmin
    private(set) var serves: [String: ServeProcess]
    static let publicURL = "http://renkei.test"
    static let tokenKey = "scale-out-suite-token-key-of-32-bytes"

    /// Starts the three (`a` first, which creates the topics), runs `body`, then stops what is still running.
    static func with(webhook: String? = nil, _ body: (inout ThreeServes) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-scale-\(UUID())")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let directory = try CLIRunner.copyOfSampleContracts()
        let systems = directory.appendingPathComponent("systems.yaml")
        var text = try String(contentsOf: systems, encoding: .utf8)
        text = text.replacingOccurrences(of: "file:outbox/008", with: "file://\(root.path)/outbox/008")
            .replacingOccurrences(of: "file:inbox/001", with: "file://\(root.path)/inbox/001")
        if let webhook { text = text.replacingOccurrences(of: "http://127.0.0.1:18017/renkei/events", with: webhook) }
        try text.write(to: systems, atomically: true, encoding: .utf8)
        let contracts = try ContractLoader.load(directory: directory.path)

        var serves: [String: ServeProcess] = [:]
        let host = try start("a", brokers: nil, contracts: directory, root: root)
        serves["a"] = host
        var logger = Logger(label: "renkei.test")
        logger.logLevel = .critical
        do {
            // The others join once a has created the topics and listens.
            let listening = try await host.waitFor("gateway listening", timeout: .seconds(90))
            try #require(listening, "instance a: \(host.stderr.suffix(3000))")
            let line = host.stderr.split(separator: "\n").first { $0.contains("can connect to: ") } ?? ""
            let bootstrap = try #require(
                line.components(separatedBy: "can connect to: ").last?.trimmingCharacters(in: .whitespaces),
                "\(host.stderr.suffix(2000))")
            for name in ["b", "c"] {
                serves[name] = try start(name, brokers: bootstrap, contracts: directory, root: root)
            }
            var scene = ThreeServes(
                contracts: contracts, contractsDirectory: directory, root: root, bootstrap: bootstrap,
                admin: try KafkaAdmin.make(
                    configuration: KafkaConfiguration(bootstrapServers: [bootstrap]), logger: logger),
                serves: serves)
            try await body(&scene)
            serves = scene.serves
        } catch {
            for name in ["c", "b", "a"] { _ = try? await serves[name]?.terminate() }
            throw error
        }
        // The hosting instance last: the others' clients leave the cluster first.
        for name in ["c", "b"] { _ = try await serves[name]?.terminate() }
        _ = try await serves["a"]?.terminate()
        try? FileManager.default.removeItem(at: directory)
        try? FileManager.default.removeItem(at: root)
    }

    private static func start(_ name: String, brokers: String?, contracts: URL, root: URL) throws -> ServeProcess {
        var arguments = [
            "--port", "0", "--instance", name, "--demo", "--public-url", publicURL, "--contracts", contracts.path,
            "--data-dir", root.appendingPathComponent("data-\(name)").path,
        ]
        if let brokers { arguments += ["--brokers", brokers] }
        let serve = try ServeProcess(arguments, environment: ["RENKEI_TOKEN_KEY": tokenKey])
        return serve
    }

    /// Waits until every instance listens.
    func waitUntilListening() async throws {
        for name in ["a", "b", "c"] {
            let serve = try #require(serves[name])
            let listening = try await serve.waitFor("gateway listening", timeout: .seconds(90))
            try #require(listening, "instance \(name): \(serve.stderr.suffix(3000))")
        }
    }

    /// `http://127.0.0.1:<port>` of instance `name`.
    func base(_ name: String) throws -> String {
        let serve = try #require(serves[name])
        return "http://127.0.0.1:\(try #require(serve.listeningPort, "\(name): \(serve.stderr.suffix(2000))"))"
    }

    /// `kill -9` of instance `name`.
    mutating func kill(_ name: String) async throws -> Int32 {
        let status = try await serves[name]?.killAbruptly() ?? -1
        serves[name] = nil
        return status
    }

    /// The running instances that hold the lease of `worker` (as their logs say: taken more often than given up).
    func holders(of worker: String) -> [String] {
        serves.keys.sorted().filter { name in
            let lines = stderr(name).split(separator: "\n").filter { $0.contains("renkei.worker=\(worker) ") }
            let taken = lines.filter { $0.contains("lease taken: running") }.count
            let given = lines.filter { $0.contains("lease given up") }.count
            return taken > given
        }
    }

    /// What instance `name` printed.
    func stderr(_ name: String) -> String { serves[name]?.stderr ?? "(not running)" }

    /// Records on every partition of `topic`.
    func records(on topic: String) async throws -> Int64 {
        try await admin.watermarks(topic: topic).values.reduce(0) { $0 + $1.count }
    }

    /// A client assertion (client_secret_jwt) of `client` for the token endpoint every instance names.
    static func assertion(client: String, secret: String, id: String = UUID().uuidString) -> String {
        let now = Int(Date().timeIntervalSince1970)
        return TestJWT.sign(
            claims: [
                "iss": client, "sub": client, "aud": publicURL + "/oauth/token", "iat": now, "exp": now + 120,
                "jti": id,
            ], key: Array(secret.utf8))
    }

    /// Asks instance `name` for a token with `assertion`.
    func token(at name: String, assertion: String) async throws -> LoopbackHTTP.Reply {
        try await Self.token(base: try base(name), assertion: assertion)
    }

    /// Asks the instance at `base` for a token with `assertion`.
    static func token(base: String, assertion: String) async throws -> LoopbackHTTP.Reply {
        let form =
            "grant_type=client_credentials&client_assertion_type="
            + "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=\(assertion)"
        return try await LoopbackHTTP.call(
            "POST", base + "/oauth/token",
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(form.utf8))
    }
}
