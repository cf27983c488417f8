import Crypto
import Foundation
import RenkeiContracts
import Synchronization

/// The built-in authorization server: authenticates clients (`client_secret_jwt`, `client_secret_basic`),
/// issues short-lived Bearer access tokens (no refresh tokens) and checks them.
///
/// Access tokens are HS256 JWTs signed with the gateway's key, so any instance sharing the key can check them
/// without shared state; the only state is the set of client-assertion `jti`s seen, kept until they expire.
final class TokenService: Sendable {
    struct Client: Sendable {
        var principal: Principal
        var secret: String
    }

    static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    static let audience = "renkei-gateway"

    let scopes: Scopes
    private let clients: [String: Client]
    private let signingKey: [UInt8]
    private let lifetime: Duration
    private let skew: Duration
    private let endpoint = Mutex<String>("")
    private let seenAssertions = Mutex<[String: Date]>([:])

    init(contracts: ContractSet, secrets: ClientSecrets, configuration: GatewayConfiguration) {
        var clients: [String: Client] = [:]
        for system in contracts.systems {
            guard let credentials = system.credentials, let secret = secrets.secrets[credentials.clientID] else {
                continue
            }
            clients[credentials.clientID] = Client(
                principal: Principal(clientID: credentials.clientID, role: .system(system.id)), secret: secret)
        }
        for op in contracts.operators {
            guard let secret = secrets.secrets[op.clientID] else { continue }
            clients[op.clientID] = Client(principal: Principal(clientID: op.clientID, role: .operator), secret: secret)
        }
        self.clients = clients
        self.scopes = Scopes(contracts: contracts)
        self.signingKey = configuration.tokenSigningKey ?? SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        self.lifetime = configuration.tokenLifetime
        self.skew = configuration.clockSkew
    }

    /// The token endpoint URL: the audience every client assertion must name.
    var tokenEndpoint: String {
        get { endpoint.withLock { $0 } }
        set { endpoint.withLock { $0 = newValue } }
    }

    var issuer: String { String(tokenEndpoint.dropLast("/oauth/token".count)) }

    // MARK: Client authentication

    /// Authenticates the client of a token or introspection request by the method it used.
    func authenticate(form: [String: String], authorization: String?) throws(OAuthError) -> Principal {
        if let authorization, authorization.lowercased().hasPrefix("basic ") {
            return try authenticateBasic(String(authorization.dropFirst(6)))
        }
        if let assertion = form["client_assertion"] {
            guard form["client_assertion_type"] == Self.assertionType else {
                throw .invalidRequest("client_assertion_type must be \(Self.assertionType).")
            }
            return try authenticateAssertion(assertion, clientID: form["client_id"])
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

    private func authenticateAssertion(_ assertion: String, clientID: String?) throws(OAuthError) -> Principal {
        guard let unverified = JWT.unverifiedClaims(assertion), let issuer = unverified["iss"] as? String,
            let client = clients[issuer]
        else { throw .invalidClient("The client assertion names no known client.") }
        let claims: [String: Any]
        do {
            claims = try JWT.verify(assertion, key: Array(client.secret.utf8))
        } catch {
            throw .invalidClient("The client assertion is not signed with the client's secret (\(error.reason)).")
        }
        guard claims["sub"] as? String == issuer, clientID == nil || clientID == issuer else {
            throw .invalidClient("The client assertion's iss and sub must both be the client id.")
        }
        let audiences = (claims["aud"] as? String).map { [$0] } ?? (claims["aud"] as? [String]) ?? []
        guard audiences.contains(tokenEndpoint) else {
            throw .invalidClient("The client assertion's aud must be the token endpoint \(tokenEndpoint).")
        }
        let now = Date()
        let skewSeconds = Self.seconds(skew)
        guard let exp = (claims["exp"] as? NSNumber)?.doubleValue else {
            throw .invalidClient("The client assertion has no exp.")
        }
        let expiry = Date(timeIntervalSince1970: exp)
        guard expiry.addingTimeInterval(skewSeconds) > now else {
            throw .invalidClient("The client assertion has expired.")
        }
        guard let jti = claims["jti"] as? String, !jti.isEmpty else {
            throw .invalidClient("The client assertion has no jti.")
        }
        let fresh = seenAssertions.withLock { seen in
            seen = seen.filter { $0.value > now }
            let key = "\(issuer) \(jti)"
            guard seen[key] == nil else { return false }
            seen[key] = expiry.addingTimeInterval(skewSeconds)
            return true
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
    func issue(for principal: Principal, scope requested: String?) throws(OAuthError) -> Issued {
        let allowed = scopes.allowed(for: principal)
        let asked = requested.map { Set($0.split(separator: " ").map(String.init)) }
        if let asked, let denied = asked.subtracting(allowed).sorted().first {
            throw .invalidScope("The client may not be granted `\(denied)`.")
        }
        let granted = (asked ?? allowed).sorted().joined(separator: " ")
        let now = Date()
        let lifetime = Int(Self.seconds(self.lifetime))
        var claims: [String: Any] = [
            "iss": issuer, "sub": principal.clientID, "aud": Self.audience, "client_id": principal.clientID,
            "scope": granted, "iat": Int(now.timeIntervalSince1970), "exp": Int(now.timeIntervalSince1970) + lifetime,
            "jti": UUID().uuidString.lowercased(),
        ]
        switch principal.role {
        case .system(let id): claims["renkei_system"] = id
        case .operator: claims["renkei_operator"] = true
        }
        return Issued(
            token: JWT.sign(claims: claims, key: signingKey, type: "at+jwt"), scope: granted, expiresIn: lifetime)
    }

    /// What an access token grants, if it is one of ours and has not expired.
    func validate(_ token: String) -> AccessGrant? {
        guard let claims = try? JWT.verify(token, key: signingKey), claims["aud"] as? String == Self.audience,
            let clientID = claims["client_id"] as? String, let exp = (claims["exp"] as? NSNumber)?.doubleValue,
            Date(timeIntervalSince1970: exp) > Date()
        else { return nil }
        let role: Principal.Role
        if let system = claims["renkei_system"] as? String {
            role = .system(system)
        } else if claims["renkei_operator"] as? Bool == true {
            role = .operator
        } else {
            return nil
        }
        return AccessGrant(
            principal: Principal(clientID: clientID, role: role),
            scopes: Set((claims["scope"] as? String ?? "").split(separator: " ").map(String.init)),
            issuedAt: (claims["iat"] as? NSNumber)?.intValue ?? 0, expiresAt: Int(exp))
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
}
