import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import RenkeiGateway
import Testing

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
            let socket = try Self.connect(port: port)
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

    private static func connect(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
        return descriptor
    }
}
