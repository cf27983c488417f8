import AsyncHTTPClient
package import Foundation
import NIOCore
package import RenkeiStorage
package import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// moto's server mode on loopback, checking request signatures: it starts with `INITIAL_NO_AUTH_ACTION_COUNT=3`,
/// spends those three unauthenticated calls on an IAM user, its policy and its access key, and from then on
/// refuses any request not signed with that key. One server serves a whole suite (see ``MotoServerTrait``).
///
/// Shared by the storage and bus tests; it talks to moto only through RenkeiStorage's public API and plain HTTP.
package final class MotoServer: Sendable {
    /// The server of the suite being run.
    @TaskLocal package static var current: MotoServer?

    /// How to start moto: `moto_server` from PATH, else `python3 -m moto.server`; nil when moto is not installed.
    package static let command: [String]? = {
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
    package static let inCI = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false

    package let port: Int
    package let endpoint: String
    package let credentials: S3Credentials
    private let process: Process

    private init(port: Int, process: Process, credentials: S3Credentials) {
        self.port = port
        self.endpoint = "http://127.0.0.1:\(port)"
        self.process = process
        self.credentials = credentials
    }

    /// Settings that reach this server with its IAM user's key.
    package var settings: S3Settings {
        var settings = S3Settings(endpoint: endpoint, region: "us-east-1", credentials: credentials)
        settings.requestTimeout = .seconds(20)
        return settings
    }

    /// Storage in a new bucket of its own. A bucket per test rather than a key prefix per test: moto checks a
    /// signature against the query as werkzeug decodes it (`prefix=a/b`, where the canonical query has
    /// `prefix=a%2Fb` as AWS requires). ``S3Storage`` asks for a folder prefix without its trailing `/`, which
    /// covers `linkage/` at the top of a bucket, but a listing under `test/linkage/` cannot be signed for moto.
    package func makeStorage(configure: (inout S3Settings) -> Void = { _ in }) async throws -> S3Storage {
        let bucket = "t-" + UUID().uuidString.lowercased()
        try await S3Storage(bucket: bucket, settings: settings).createBucket()
        var settings = self.settings
        configure(&settings)
        return S3Storage(bucket: bucket, prefix: "", settings: settings)
    }

    package static func start() async throws -> MotoServer {
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
    package func stop() {
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
        guard let id = element("AccessKeyId", in: answer), let secret = element("SecretAccessKey", in: answer) else {
            throw MotoError(message: "CreateAccessKey answered without a key")
        }
        return S3Credentials(accessKeyID: id, secretAccessKey: secret)
    }

    /// An IAM Query API call as a form POST; its answer's XML. moto does not check the signature of the first calls,
    /// but it routes a request to IAM by the service in the credential scope of its `Authorization` header, so the
    /// header names that scope and carries no real signature.
    private static func iamCall(_ endpoint: String, _ parameters: [String: String]) async throws -> String {
        var form = parameters
        form["Version"] = "2010-05-08"
        let body = form.sorted { $0.key < $1.key }.map { "\($0.key)=\(formEncoded($0.value))" }
            .joined(separator: "&")
        let now = Date()
        let day = now.formatted(.iso8601.year().month().day().dateSeparator(.omitted))
        var request = HTTPClientRequest(url: endpoint + "/")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded; charset=utf-8")
        request.headers.add(name: "x-amz-date", value: day + "T000000Z")
        request.headers.add(
            name: "authorization",
            value: "AWS4-HMAC-SHA256 Credential=AKIDSETUP/\(day)/us-east-1/iam/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date, Signature=" + String(repeating: "0", count: 64))
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let answer = String(buffer: try await response.body.collect(upTo: 1024 * 1024))
        guard response.status.code == 200 else {
            throw MotoError(message: "IAM \(parameters["Action"] ?? "") answered \(response.status.code): \(answer)")
        }
        return answer
    }

    /// `value` percent-encoded for a form body: everything but the unreserved characters.
    private static func formEncoded(_ value: String) -> String {
        value.addingPercentEncoding(
            withAllowedCharacters: CharacterSet(
                charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")) ?? value
    }

    /// The text of the first element `name` in an XML answer (IAM's key ids and secrets need no unescaping).
    private static func element(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"),
            let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex)
        else { return nil }
        return String(xml[open.upperBound..<close.lowerBound])
    }

    /// The size and SHA-256 (lowercase hex) of an object as boto3 reads it: an independent S3 client, to check that
    /// what our client wrote is what any client gets back.
    package func boto3Digest(bucket: String, key: String) throws -> (bytes: Int, sha256: String) {
        let output = Pipe()
        let status = Self.run(
            [
                "python3", "-c",
                """
                import boto3, hashlib, sys
                s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
                body = s3.get_object(Bucket=sys.argv[2], Key=sys.argv[3])["Body"].read()
                print(len(body), hashlib.sha256(body).hexdigest())
                """,
                endpoint, bucket, key,
            ],
            environment: ProcessInfo.processInfo.environment.merging([
                "AWS_ACCESS_KEY_ID": credentials.accessKeyID, "AWS_SECRET_ACCESS_KEY": credentials.secretAccessKey,
            ]) { $1 },
            output: output)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard status == 0, fields.count == 2, let bytes = Int(fields[0]) else {
            throw MotoError(message: "boto3 could not read s3://\(bucket)/\(key) (exit \(status)): \(text)")
        }
        return (bytes, String(fields[1]))
    }

    /// A loopback port nothing listens on right now.
    package static func freePort() throws -> Int {
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
    package static func isListening(port: Int) -> Bool {
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
    package static func run(_ arguments: [String], environment: [String: String]? = nil, output: Pipe? = nil) -> Int32 {
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

package struct MotoError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}

/// Starts one moto server around a whole suite and stops it after the suite's last test.
package struct MotoServerTrait: SuiteTrait, TestScoping {
    package var isRecursive: Bool { false }

    package func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try await MotoServer.start()
        defer { server.stop() }
        try await MotoServer.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == MotoServerTrait {
    /// The suite runs against a moto server of its own.
    package static var motoServer: Self { MotoServerTrait() }
}
