import Foundation
import JWTKit

/// The claims of a client assertion (RFC 7523 §3, `client_secret_jwt`). Every claim is optional here so that a
/// missing one is refused by ``TokenService`` with a message naming it, instead of a decoding error.
struct ClientAssertionClaims: JWTPayload {
    var iss: IssuerClaim?
    var sub: SubjectClaim?
    var aud: AudienceClaim?
    var exp: ExpirationClaim?
    var jti: IDClaim?

    /// The checks need the token endpoint, the clock skew and the replay cache: ``TokenService`` makes them.
    func verify(using algorithm: some JWTAlgorithm) throws {}
}

/// The claims of the gateway's own access tokens (RFC 9068 `at+jwt`): who the client is, which scopes it holds,
/// and whether it is a system (`renkei_system`, its id) or an operator (`renkei_operator`).
struct AccessTokenClaims: JWTPayload {
    var iss: IssuerClaim
    var sub: SubjectClaim
    var aud: AudienceClaim
    var clientID: String
    var scope: String
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var jti: IDClaim
    var system: String?
    var isOperator: Bool?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, scope, iat, exp, jti
        case clientID = "client_id"
        case system = "renkei_system"
        case isOperator = "renkei_operator"
    }

    /// Ours only if meant for the gateway and not expired.
    func verify(using algorithm: some JWTAlgorithm) throws {
        try exp.verifyNotExpired()
        try aud.verifyIntendedAudience(includes: TokenService.audience)
    }
}
