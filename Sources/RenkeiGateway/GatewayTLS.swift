import Foundation
import NIOSSL

/// The gateway's TLS: a PEM certificate chain (the server's certificate first) and its PEM private key, and
/// optionally the certificate authorities whose client certificates it accepts (mTLS).
public struct GatewayTLS: Sendable {
    public var certificateChainPath: String
    public var privateKeyPath: String
    /// PEM certificates of the authorities that issue clients' certificates. With it, clients may present a
    /// certificate, which must chain to one of them; systems whose contracts pin `client-certificate-sha256` must.
    public var clientCertificateAuthorityPath: String?

    public init(certificateChainPath: String, privateKeyPath: String, clientCertificateAuthorityPath: String? = nil) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.clientCertificateAuthorityPath = clientCertificateAuthorityPath
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
        if let path = clientCertificateAuthorityPath {
            let authorities: [NIOSSLCertificate]
            do {
                authorities = try NIOSSLCertificate.fromPEMFile(path)
            } catch {
                throw GatewayTLSError("The client certificate authorities \(path) cannot be read as PEM: \(error).")
            }
            guard !authorities.isEmpty else {
                throw GatewayTLSError("The client certificate authority file \(path) holds no certificate.")
            }
            // A client may come without a certificate (most systems authenticate by secret alone); one it
            // presents must chain to these authorities, or the handshake fails.
            configuration.certificateVerification = .optionalVerification
            configuration.trustRoots = .certificates(authorities)
        }
        return configuration
    }
}

/// TLS files that cannot be used; the gateway does not start.
public struct GatewayTLSError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
