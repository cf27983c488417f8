import Hummingbird
import HummingbirdAuth
import NIOCore
import NIOSSL
import RenkeiContracts

/// The request context of the gateway's routes: the caller's grant once ``BearerAuthenticator`` has checked its
/// token, and the linkage of the path once ``LinkageAccess`` has found it and admitted the caller.
struct GatewayRequestContext: AuthRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The grant of the request's Bearer token (HummingbirdAuth's identity).
    var identity: AccessGrant?
    /// The linkage named in the path, when the route's group has ``LinkageAccess``.
    var linkage: Linkage?
    /// The operator's console session, once ``ConsoleAuthenticator`` has found it.
    var consoleSession: ConsoleSession?
    /// A console POST's form, read and CSRF-checked by ``ConsoleAuthenticator``.
    var consoleForm: FormFields?

    /// The connection, for its TLS client certificate.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = CoreRequestContextStorage(source: source)
        self.channel = source.channel
    }

    /// Lowercase hex SHA-256 of the DER of the client certificate this connection presented (validated against
    /// `--tls-client-ca` in the handshake); `nil` without TLS or without a certificate.
    func clientCertificateSHA256() async -> String? {
        guard let certificate = try? await channel.nioSSL_peerCertificate().get(),
            let der = try? certificate.toDERBytes()
        else { return nil }
        return SecretHash.sha256Hex(der)
    }

    /// The caller's grant; 401 in a route without ``BearerAuthenticator`` (a routing mistake, not the caller's).
    var grant: AccessGrant {
        get throws {
            guard let identity else { throw Problem.unauthorized("This route needs a Bearer access token.") }
            return identity
        }
    }

    /// The linkage of the path; 404 in a route without ``LinkageAccess``.
    var pathLinkage: Linkage {
        get throws {
            guard let linkage else { throw Problem.notFound("There is no linkage in this path.") }
            return linkage
        }
    }
}
