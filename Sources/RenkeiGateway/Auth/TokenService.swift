import Crypto
import Foundation
import JWTKit
import RenkeiContracts
import Synchronization

/// The built-in authorization server: authenticates clients (`client_secret_jwt`, `client_secret_basic`),
/// issues short-lived Bearer access tokens (no refresh tokens) and checks them. JWTs are signed and verified by
/// jwt-kit (HS256 only).
///
/// Access tokens are HS256 JWTs signed with the gateway's key, so any instance sharing the key can check them
/// without shared state; the only state is the set of client-assertion `jti`s used, claimed in the
/// ``AssertionLedger`` (shared by every instance of the cluster through Kafka) until they expire, and a cache of
/// access tokens already checked (``VerifiedTokenCache``), which only saves checking them again.
final class TokenService: Sendable {
    struct Client: Sendable {
        var principal: Principal
        var secret: String
        /// The client's secret as an HS256 key, for its assertions.
        var keys: JWTKeyCollection
        /// The TLS client certificate the client must present (hex SHA-256 of its DER), when its contracts pin one.
        var certificateSHA256: String?
    }

    /// RFC 7518 §3.2: an HS256 key must be at least as long as the hash, 256 bits.
    static let minimumKeyBytes = 32

    static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    static let audience = "renkei-gateway"

    let scopes: Scopes
    private let clients: [String: Client]
    private let signingKeys: JWTKeyCollection
    private let lifetime: Duration
    private let skew: Duration
    private let endpoint = Mutex<String>("")
    private let ledger: AssertionLedger
    /// The longest a client assertion may be valid (`exp` − now): its id must be remembered that long, by every
    /// instance. RFC 7523 §3 lets the server refuse assertions that expire unreasonably far in the future.
    static let maximumAssertionLifetime: TimeInterval = 3600
    /// Access tokens already checked, until their `exp` (``validate(_:now:)``); `nil` when the configuration
    /// turns the cache off.
    let verified: VerifiedTokenCache?

    /// A token service for the clients of `contracts` that have a secret in `secrets`; every secret and the
    /// signing key must be at least ``minimumKeyBytes`` long (``ClientSecrets/verify(against:)`` and
    /// ``GatewayConfiguration/tokenSigningKey`` check that before).
    static func make(
        contracts: ContractSet, secrets: ClientSecrets, configuration: GatewayConfiguration,
        ledger: AssertionLedger = .local()
    ) async -> TokenService {
        var clients: [String: Client] = [:]
        func add(_ clientID: String, _ role: Principal.Role, certificate: String? = nil) async {
            guard let secret = secrets.secrets[clientID] else { return }
            let keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            clients[clientID] = Client(
                principal: Principal(clientID: clientID, role: role), secret: secret, keys: keys,
                certificateSHA256: certificate)
        }
        for system in contracts.systems {
            if let credentials = system.credentials {
                await add(
                    credentials.clientID, .system(system.id), certificate: credentials.clientCertificateSHA256)
            }
        }
        for op in contracts.operators { await add(op.clientID, .operator) }
        let key = configuration.tokenSigningKey ?? SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let signingKeys = await JWTKeyCollection().add(hmac: HMACKey(from: key), digestAlgorithm: .sha256)
        return TokenService(
            clients: clients, scopes: Scopes(contracts: contracts), signingKeys: signingKeys,
            configuration: configuration, ledger: ledger)
    }

    private init(
        clients: [String: Client], scopes: Scopes, signingKeys: JWTKeyCollection, configuration: GatewayConfiguration,
        ledger: AssertionLedger
    ) {
        self.clients = clients
        self.ledger = ledger
        self.scopes = scopes
        self.signingKeys = signingKeys
        self.lifetime = configuration.tokenLifetime
        self.skew = configuration.clockSkew
        self.verified =
            configuration.verifiedTokenCapacity > 0
            ? VerifiedTokenCache(capacity: configuration.verifiedTokenCapacity) : nil
    }

    /// The token endpoint URL: the audience every client assertion must name.
    var tokenEndpoint: String {
        get { endpoint.withLock { $0 } }
        set { endpoint.withLock { $0 = newValue } }
    }

    var issuer: String { String(tokenEndpoint.dropLast("/oauth/token".count)) }

    // MARK: Client authentication

    /// Authenticates the client of a token or introspection request by the method it used, and by the TLS client
    /// certificate of the connection (hex SHA-256 of its DER) when the client's contracts pin one (RFC 8705).
    func authenticate(
        form: [String: String], authorization: String?, certificate: String? = nil
    ) async throws(OAuthError) -> Principal {
        let principal = try await authenticateBySecret(form: form, authorization: authorization)
        if let pinned = clients[principal.clientID]?.certificateSHA256, pinned != certificate {
            throw .invalidClient(
                certificate == nil
                    ? "Client `\(principal.clientID)` must present its TLS client certificate (mTLS)."
                    : "The TLS client certificate is not the one the contracts pin for `\(principal.clientID)`.")
        }
        return principal
    }

    private func authenticateBySecret(
        form: [String: String], authorization: String?
    ) async throws(OAuthError) -> Principal {
        if let authorization, authorization.lowercased().hasPrefix("basic ") {
            // RFC 6749 §2.3: one authentication method per request.
            guard form["client_assertion"] == nil, form["client_assertion_type"] == nil else {
                throw .invalidRequest("Authenticate with one method: Basic credentials or a client assertion.")
            }
            return try authenticateBasic(String(authorization.dropFirst(6)))
        }
        if let assertion = form["client_assertion"] {
            guard form["client_assertion_type"] == Self.assertionType else {
                throw .invalidRequest("client_assertion_type must be \(Self.assertionType).")
            }
            return try await authenticateAssertion(assertion, clientID: form["client_id"])
        }
        if form["client_secret"] != nil {
            throw .invalidClient("client_secret_post is not accepted; use client_secret_jwt or client_secret_basic.")
        }
        throw .invalidClient("No client authentication: use client_secret_jwt or client_secret_basic.")
    }

    private func authenticateBasic(_ encoded: String) throws(OAuthError) -> Principal {
        guard let data = Data(base64Encoded: encoded.trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { throw .invalidClient("The Basic credentials cannot be read.") }
        let id = FormBody.decodeComponent(String(text[..<colon]))
        let secret = FormBody.decodeComponent(String(text[text.index(after: colon)...]))
        guard let client = clients[id],
            SHA256.hash(data: Array(secret.utf8)) == SHA256.hash(data: Array(client.secret.utf8))
        else { throw .invalidClient("Unknown client or wrong secret.") }
        return client.principal
    }

    private func authenticateAssertion(_ assertion: String, clientID: String?) async throws(OAuthError) -> Principal {
        let bytes = Array(assertion.utf8)
        guard let (header, unverified, _) = try? DefaultJWTParser().parse(bytes, as: ClientAssertionClaims.self) else {
            throw .invalidClient("The client assertion is not a compact JWS with a JSON header and claims.")
        }
        guard header.alg == "HS256" else {
            throw .invalidClient("The client assertion's alg must be HS256 (client_secret_jwt).")
        }
        guard let issuer = unverified.iss?.value, let client = clients[issuer] else {
            throw .invalidClient("The client assertion names no known client.")
        }
        guard let claims = try? await client.keys.verify(bytes, as: ClientAssertionClaims.self) else {
            throw .invalidClient("The client assertion is not signed with the client's secret.")
        }
        guard claims.sub?.value == issuer, clientID == nil || clientID == issuer else {
            throw .invalidClient("The client assertion's iss and sub must both be the client id.")
        }
        guard claims.aud?.value.contains(tokenEndpoint) == true else {
            throw .invalidClient("The client assertion's aud must be the token endpoint \(tokenEndpoint).")
        }
        let now = Date()
        let skewSeconds = Self.seconds(skew)
        guard let expiry = claims.exp?.value else { throw .invalidClient("The client assertion has no exp.") }
        guard expiry.addingTimeInterval(skewSeconds) > now else {
            throw .invalidClient("The client assertion has expired.")
        }
        guard expiry.timeIntervalSince(now) <= Self.maximumAssertionLifetime + skewSeconds else {
            throw .invalidClient(
                "The client assertion's exp is more than \(Int(Self.maximumAssertionLifetime)) seconds away; "
                    + "make assertions short-lived (a few minutes).")
        }
        guard let jti = claims.jti?.value, !jti.isEmpty else {
            throw .invalidClient("The client assertion has no jti.")
        }
        let fresh: Bool
        do {
            fresh = try await ledger.claim(issuer, jti, expiry.addingTimeInterval(skewSeconds))
        } catch {
            throw .temporarilyUnavailable(
                "The assertion's single use cannot be checked now; try again shortly with a new assertion (new jti).")
        }
        guard fresh else { throw .invalidClient("The client assertion was used before (jti replayed).") }
        return client.principal
    }

    // MARK: Access tokens

    struct Issued: Sendable {
        var token: String
        var scope: String
        var expiresIn: Int
    }

    /// An access token for `principal` with the requested scopes (all it may have when none are requested).
    func issue(for principal: Principal, scope requested: String?) async throws(OAuthError) -> Issued {
        let allowed = scopes.allowed(for: principal)
        let asked = requested.map { Set($0.split(separator: " ").map(String.init)) }
        if let asked, let denied = asked.subtracting(allowed).sorted().first {
            throw .invalidScope("The client may not be granted `\(denied)`.")
        }
        // The unmasking scope is granted only when asked for: an operator of the mynumber zone works masked unless
        // it says otherwise.
        let granted = (asked ?? allowed.subtracting([Scopes.deadLettersReadPersonal])).sorted().joined(separator: " ")
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let lifetime = Int(Self.seconds(self.lifetime))
        var claims = AccessTokenClaims(
            iss: IssuerClaim(value: issuer), sub: SubjectClaim(value: principal.clientID),
            aud: AudienceClaim(value: [Self.audience]), clientID: principal.clientID, scope: granted,
            iat: IssuedAtClaim(value: now), exp: ExpirationClaim(value: now.addingTimeInterval(Double(lifetime))),
            jti: IDClaim(value: UUID().uuidString.lowercased()))
        switch principal.role {
        case .system(let id): claims.system = id
        case .operator: claims.isOperator = true
        }
        if let certificate = clients[principal.clientID]?.certificateSHA256 {
            claims.confirmation = AccessTokenClaims.Confirmation(certificateSHA256: certificate)
        }
        var header = JWTHeader()
        header.typ = "at+jwt"
        let token: String
        do {
            token = try await signingKeys.sign(claims, header: header)
        } catch {
            throw .serverError("The access token could not be signed.")
        }
        return Issued(token: token, scope: granted, expiresIn: lifetime)
    }

    /// What an access token grants, if it is one of ours and has not expired at `now`. A token checked before is
    /// answered from ``verified`` until its `exp`; the certificate binding in the grant is the caller's to check.
    func validate(_ token: String, now: Date = Date()) async -> AccessGrant? {
        if let grant = verified?.grant(for: token, at: now) { return grant }
        // jwt-kit picks the key by the header but does not hold the header to it: ours say HS256 and at+jwt.
        guard let (header, _, _) = try? DefaultJWTParser().parse(Array(token.utf8), as: AccessTokenClaims.self),
            header.alg == "HS256", header.typ == "at+jwt",
            let claims = try? await signingKeys.verify(token, as: AccessTokenClaims.self),
            now < claims.exp.value
        else { return nil }
        let role: Principal.Role
        if let system = claims.system {
            role = .system(system)
        } else if claims.isOperator == true {
            role = .operator
        } else {
            return nil
        }
        let grant = AccessGrant(
            principal: Principal(clientID: claims.clientID, role: role),
            scopes: Set(claims.scope.split(separator: " ").map(String.init)),
            issuedAt: Int(claims.iat.value.timeIntervalSince1970),
            expiresAt: Int(claims.exp.value.timeIntervalSince1970),
            certificateSHA256: claims.confirmation?.certificateSHA256)
        verified?.insert(token, grant: grant, expiry: claims.exp.value, at: now)
        return grant
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// What a valid access token grants.
struct AccessGrant: Sendable {
    var principal: Principal
    var scopes: Set<String>
    var issuedAt: Int
    var expiresAt: Int
    /// The TLS client certificate the token is bound to (RFC 8705 `cnf`), hex SHA-256 of its DER: the token is
    /// accepted only over a connection presenting it.
    var certificateSHA256: String?
}
