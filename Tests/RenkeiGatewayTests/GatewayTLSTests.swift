import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOSSL
import RenkeiContracts
import RenkeiTestSupport
import Testing

@testable import RenkeiGateway

#if canImport(Glibc)
import Glibc
#endif

/// The gateway's own TLS (`serve --tls-cert/--tls-key`) and its idle timeout, over real sockets.
@Suite(.serialized) struct GatewayTLSTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("TLS")
    static let certificate = folder.appendingPathComponent("gateway-cert.pem").path
    static let key = folder.appendingPathComponent("gateway-key.pem").path

    @Test func servesHTTPSWithTheGivenCertificateAndNothingInPlainText() async throws {
        try await GatewayHarness.with(configure: {
            $0.tls = GatewayTLS(certificateChainPath: Self.certificate, privateKeyPath: Self.key)
        }) { harness in
            let port = try #require(harness.base.split(separator: ":").last.flatMap { Int($0) })
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(Self.certificate)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
            do {
                let response = try await client.execute(
                    HTTPClientRequest(url: "https://127.0.0.1:\(port)/health/live"), timeout: .seconds(10))
                #expect(response.status == .ok)
                // A client that does not trust the certificate is refused by its own check.
                let untrusting = HTTPClient(eventLoopGroupProvider: .singleton)
                await #expect(throws: (any Error).self) {
                    _ = try await untrusting.execute(
                        HTTPClientRequest(url: "https://127.0.0.1:\(port)/health/live"), timeout: .seconds(10))
                }
                try await untrusting.shutdown()
                // Plain HTTP gets no answer from the TLS port.
                let plain = try? await client.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)/health/live"), timeout: .seconds(5))
                #expect(plain?.status != .ok)
            } catch {
                try await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }

    @Test func aCertificateThatCannotBeReadStopsTheStartNamingTheFile() async throws {
        await #expect {
            try await GatewayHarness.with(configure: {
                $0.tls = GatewayTLS(certificateChainPath: Self.key, privateKeyPath: Self.key)
            }) { _ in }
        } throws: { error in
            "\(error)".contains("The TLS certificate \(Self.key) cannot be read as PEM")
                || "\(error)".contains("holds no certificate")
        }
    }

    @Test func aClientStuckInTheMiddleOfARequestIsDisconnected() async throws {
        try await GatewayHarness.with(configure: { $0.idleTimeout = .seconds(1) }) { harness in
            let port = try #require(harness.base.split(separator: ":").last.flatMap { Int($0) })
            let socket = try LoopbackSocket.connect(port: port)
            defer { close(socket) }
            let partial = Array("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8)
            _ = partial.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
            let started = ContinuousClock.now
            // The server closes the connection: recv returns 0 (or an error), long before the 10 s this waits.
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 10_000)
            var byte: UInt8 = 0
            let received = ready > 0 ? recv(socket, &byte, 1, 0) : -2
            #expect(ready == 1 && received <= 0, "the stuck connection stayed open")
            #expect(ContinuousClock.now - started < .seconds(8))
        }
    }
}

/// Client certificates (mTLS, RFC 8705): a system whose contracts pin its certificate gets a token only over a
/// connection presenting it, and the token works only over such connections.
@Suite(.serialized) struct ClientCertificateTests {
    static let folder = GatewayTLSTests.folder
    static let authority = folder.appendingPathComponent("client-ca.pem").path
    static let certificate = folder.appendingPathComponent("client-001-cert.pem").path
    static let key = folder.appendingPathComponent("client-001-key.pem").path
    static let rogueCertificate = folder.appendingPathComponent("rogue-cert.pem").path
    static let rogueKey = folder.appendingPathComponent("rogue-key.pem").path

    /// The contracts with 001 pinned to `client-001-cert.pem`, by a thumbprint computed here from the file.
    static func pinnedContracts() throws -> ContractSet {
        let der = try #require(try NIOSSLCertificate.fromPEMFile(certificate).first).toDERBytes()
        let thumbprint = SHA256.hash(data: der).map { String(format: "%02x", $0) }.joined()
        let loaded = try GatewayHarness.contracts(webhook: nil, queryEndpoint: nil)
        let systems = loaded.systems.map { system -> RenkeiContracts.System in
            var system = system
            if system.id == "001" { system.credentials?.clientCertificateSHA256 = thumbprint }
            return system
        }
        return ContractSet(
            systems: systems, codeTables: loaded.codeTables, layouts: loaded.layouts, linkages: loaded.linkages,
            operators: loaded.operators)
    }

    static func client(certificate: String?, key: String?) -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(GatewayTLSTests.certificate)
        if let certificate, let key {
            tls.certificateChain = [.certificate(try! NIOSSLCertificate.fromPEMFile(certificate)[0])]
            tls.privateKey = .privateKey(try! NIOSSLPrivateKey(file: key, format: .pem))
        }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
    }

    static func token(
        _ client: HTTPClient, port: Int, as clientID: String = "sys-001"
    ) async throws -> (status: Int, body: [String: Any]) {
        var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)/oauth/token")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let credentials = Data("\(clientID):\(GatewayHarness.demoSecret(clientID))".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.body = .bytes(ByteBuffer(string: "grant_type=client_credentials"))
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let body = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
        return (Int(response.status.code), body)
    }

    static func provide(_ client: HTTPClient, port: Int, token: String, record: [UInt8]) async throws -> Int {
        var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)/linkages/resident-change/records")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.body = .bytes(ByteBuffer(bytes: record))
        return Int(try await client.execute(request, timeout: .seconds(10)).status.code)
    }

    /// Runs `body` with a gateway on the pinned contracts over HTTPS that accepts client certificates of the test
    /// authority; `body` gets the gateway and its port.
    static func withPinnedGateway(_ body: (GatewayHarness, Int) async throws -> Void) async throws {
        try await GatewayHarness.with(
            contracts: try pinnedContracts(),
            configure: {
                $0.tls = GatewayTLS(
                    certificateChainPath: GatewayTLSTests.certificate, privateKeyPath: GatewayTLSTests.key,
                    clientCertificateAuthorityPath: authority)
            }
        ) { harness in
            try await body(harness, try #require(harness.base.split(separator: ":").last.flatMap { Int($0) }))
        }
    }

    @Test func aPinnedSystemNeedsItsCertificateForTheTokenAndEveryUseOfIt() async throws {
        try await Self.withPinnedGateway { harness, port in
            let withCertificate = Self.client(certificate: Self.certificate, key: Self.key)
            let without = Self.client(certificate: nil, key: nil)
            let rogue = Self.client(certificate: Self.rogueCertificate, key: Self.rogueKey)
            do {
                try await Self.check(harness, port: port, withCertificate, without, rogue)
            } catch {
                for client in [withCertificate, without, rogue] { try await client.shutdown() }
                throw error
            }
            for client in [withCertificate, without, rogue] { try await client.shutdown() }
        }
    }

    static func check(
        _ harness: GatewayHarness, port: Int, _ withCertificate: HTTPClient, _ without: HTTPClient,
        _ rogue: HTTPClient
    ) async throws {
        do {
            let record = Residents.json(harness.bus.contracts, count: 1)[0]
            // The right secret without the certificate: refused, naming what is missing.
            let refused = try await Self.token(without, port: port)
            #expect(refused.status == 401)
            #expect((refused.body["error_description"] as? String)?.contains("TLS client certificate") == true)
            // A certificate no trusted authority issued fails the handshake itself.
            await #expect(throws: (any Error).self) { _ = try await Self.token(rogue, port: port) }
            // With the certificate: a token bound to it (RFC 8705 cnf).
            let issued = try await Self.token(withCertificate, port: port)
            #expect(issued.status == 200)
            let token = try #require(issued.body["access_token"] as? String)
            #expect(try await Self.provide(withCertificate, port: port, token: token, record: record) == 201)
            // The same token over a connection without the certificate is refused.
            #expect(try await Self.provide(without, port: port, token: token, record: record) == 401)
            // Systems that pin nothing still come without a certificate.
            let other = try await Self.token(without, port: port, as: "sys-018")
            #expect(other.status == 200)
        }
    }

    @Test func pinnedCertificatesWithoutAClientAuthorityStopTheStart() async throws {
        let contracts = try Self.pinnedContracts()
        await #expect {
            try await GatewayHarness.with(contracts: contracts) { _ in }
        } throws: { error in
            "\(error)".contains("System `001` must present a TLS client certificate")
        }
    }
}
