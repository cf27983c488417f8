import Foundation
import NIOSSL

/// The gateway's TLS: a PEM certificate chain (the server's certificate first) and its PEM private key.
public struct GatewayTLS: Sendable {
    public var certificateChainPath: String
    public var privateKeyPath: String

    public init(certificateChainPath: String, privateKeyPath: String) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
    }

    /// The server's TLS configuration (TLS 1.2 or newer); throws naming the file that cannot be used.
    func serverConfiguration() throws(GatewayTLSError) -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateChainPath)
        } catch {
            throw GatewayTLSError("The TLS certificate \(certificateChainPath) cannot be read as PEM: \(error).")
        }
        guard !chain.isEmpty else {
            throw GatewayTLSError("The TLS certificate file \(certificateChainPath) holds no certificate.")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
        } catch {
            throw GatewayTLSError("The TLS private key \(privateKeyPath) cannot be read as PEM: \(error).")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}

/// TLS files that cannot be used; the gateway does not start.
public struct GatewayTLSError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
