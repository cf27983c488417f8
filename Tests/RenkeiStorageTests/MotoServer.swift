import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import Testing

@testable import RenkeiStorage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// moto's server mode on loopback, checking request signatures: it starts with `INITIAL_NO_AUTH_ACTION_COUNT=3`,
/// spends those three unauthenticated calls on an IAM user, its policy and its access key, and from then on
/// refuses any request not signed with that key. One server serves a whole suite (see ``MotoServerTrait``).
final class MotoServer: Sendable {
    /// The server of the suite being run.
    @TaskLocal static var current: MotoServer?

    /// How to start moto: `moto_server` from PATH, else `python3 -m moto.server`; nil when moto is not installed.
    static let command: [String]? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":")
        where FileManager.default.isExecutableFile(
            atPath: "\(directory)/moto_server")
        {
            return ["\(directory)/moto_server"]
        }
        return run(["python3", "-c", "import moto.server"]) == 0 ? ["python3", "-m", "moto.server"] : nil
    }()

    /// Whether the tests run in CI, where a missing moto is a failure rather than a reason to skip.
    static let inCI = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false

    let port: Int
    let endpoint: String
    let credentials: S3Credentials
    private let process: Process

    private init(port: Int, process: Process, credentials: S3Credentials) {
        self.port = port
        self.endpoint = "http://127.0.0.1:\(port)"
        self.process = process
        self.credentials = credentials
    }

    /// Settings that reach this server with its IAM user's key.
    var settings: S3Settings {
        var settings = S3Settings(endpoint: endpoint, region: "us-east-1", credentials: credentials)
        settings.requestTimeout = .seconds(20)
        return settings
    }

    /// Storage in a new bucket of its own. A bucket per test rather than a key prefix per test: moto checks a
    /// signature against the query as werkzeug decodes it (`prefix=a/b`, where the canonical query has
    /// `prefix=a%2Fb` as AWS requires), so listings under a prefix with `/` cannot be signed for moto.
    func makeStorage(configure: (inout S3Settings) -> Void = { _ in }) async throws -> S3Storage {
        let bucket = "t-" + UUID().uuidString.lowercased()
        try await S3Client(
            bucket: bucket, settings: settings, locationText: "s3://\(bucket)", logger: .init(label: "test")
        )
        .createBucket()
        var settings = self.settings
        configure(&settings)
        return S3Storage(bucket: bucket, prefix: "", settings: settings)
    }

    static func start() async throws -> MotoServer {
        guard let command else {
            throw MotoError(message: "moto is not installed (pip install 'moto[server]'), and CI is set")
        }
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command + ["-H", "127.0.0.1", "-p", "\(port)"]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "3"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        do {
            let deadline = ContinuousClock.now + .seconds(30)
            while !isListening(port: port) {
                guard process.isRunning, ContinuousClock.now < deadline else {
                    throw MotoError(message: "moto did not start listening on port \(port) within 30 s")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let credentials = try await createUserKey(endpoint: "http://127.0.0.1:\(port)")
            let server = MotoServer(port: port, process: process, credentials: credentials)
            return server
        } catch {
            process.terminate()
            process.waitUntilExit()
            throw error
        }
    }

    /// Stops the server: SIGTERM, then SIGKILL after 2 s, because moto waits for open keep-alive connections
    /// (the HTTP client's pool holds some) before it exits on SIGTERM.
    func stop() {
        process.terminate()
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The three unauthenticated IAM calls: a user, a policy allowing everything, and an access key.
    private static func createUserKey(endpoint: String) async throws -> S3Credentials {
        let user = "renkei-storage-test"
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        _ = try await iamCall(endpoint, ["Action": "CreateUser", "UserName": user])
        _ = try await iamCall(
            endpoint, ["Action": "PutUserPolicy", "UserName": user, "PolicyName": "all", "PolicyDocument": policy])
        let answer = try await iamCall(endpoint, ["Action": "CreateAccessKey", "UserName": user])
        guard let key = answer.first(named: "AccessKey"), let id = key["AccessKeyId"],
            let secret = key["SecretAccessKey"]
        else { throw MotoError(message: "CreateAccessKey answered without a key") }
        return S3Credentials(accessKeyID: id, secretAccessKey: secret)
    }

    /// An IAM Query API call as a form POST, signed with a throwaway key: moto does not check the first calls, but
    /// it routes a request to IAM by the service in the signature's scope.
    private static func iamCall(_ endpoint: String, _ parameters: [String: String]) async throws -> XMLTree {
        var form = parameters
        form["Version"] = "2010-05-08"
        let body = Array(
            form.sorted { $0.key < $1.key }.map { "\($0.key)=\(URIEncoding.encode($0.value))" }.joined(separator: "&")
                .utf8)
        let host = String(endpoint.dropFirst("http://".count))
        let signer = SigV4Signer(
            credentials: S3Credentials(accessKeyID: "AKIDSETUP", secretAccessKey: "setup"), region: "us-east-1",
            service: "iam")
        let signed = signer.sign(
            .init(
                method: "POST", encodedPath: "/", query: [],
                headers: [
                    (name: "host", value: host),
                    (name: "content-type", value: "application/x-www-form-urlencoded; charset=utf-8"),
                ],
                payloadHash: Hex.encode(SHA256.hash(data: body))),
            at: Date())
        var request = HTTPClientRequest(url: endpoint + "/")
        request.method = .POST
        for header in signed.headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let answer = Array(buffer: try await response.body.collect(upTo: 1024 * 1024))
        guard response.status.code == 200, let tree = XMLTree.parse(answer) else {
            throw MotoError(
                message: "IAM \(parameters["Action"] ?? "") answered \(response.status.code): "
                    + String(decoding: answer, as: UTF8.self))
        }
        return tree
    }

    /// A loopback port nothing listens on right now.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw MotoError(message: "socket() failed") }
        defer { close(descriptor) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw MotoError(message: "bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on the loopback `port`; probing with a bare connection, not an
    /// HTTP request, spends none of moto's unauthenticated calls.
    static func isListening(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    /// Runs a command to its end; its exit status.
    @discardableResult
    static func run(_ arguments: [String], environment: [String: String]? = nil, output: Pipe? = nil) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = output ?? FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

struct MotoError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Starts one moto server around a whole suite and stops it after the suite's last test.
struct MotoServerTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try await MotoServer.start()
        defer { server.stop() }
        try await MotoServer.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == MotoServerTrait {
    /// The suite runs against a moto server of its own.
    static var motoServer: Self { MotoServerTrait() }
}

extension XMLTree {
    /// The first element named `name`, at any depth.
    func first(named name: String) -> XMLTree? {
        if self.name == name { return self }
        for child in children {
            if let found = child.first(named: name) { return found }
        }
        return nil
    }
}
