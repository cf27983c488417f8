import Foundation
import JWTKit
import RenkeiBus

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
    /// RFC 8705 §3.1: the certificate the token is bound to.
    var confirmation: Confirmation?

    /// `cnf` with `x5t#S256`: the base64url SHA-256 of the client certificate's DER.
    struct Confirmation: Codable, Sendable {
        var thumbprint: String

        enum CodingKeys: String, CodingKey { case thumbprint = "x5t#S256" }

        init(certificateSHA256 hex: String) {
            thumbprint = Base64URL.encode(HexDigits.bytes(hex))
        }

        /// The thumbprint as lowercase hex, as the contracts write it; `nil` when it is not base64url of 32 bytes.
        var certificateSHA256: String? {
            var base64 = thumbprint.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            guard let data = Data(base64Encoded: base64), data.count == 32 else { return nil }
            return SecretHash.hex(data)
        }
    }

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, scope, iat, exp, jti
        case clientID = "client_id"
        case system = "renkei_system"
        case isOperator = "renkei_operator"
        case confirmation = "cnf"
    }

    /// Ours only if meant for the gateway and not expired.
    func verify(using algorithm: some JWTAlgorithm) throws {
        try exp.verifyNotExpired()
        try aud.verifyIntendedAudience(includes: TokenService.audience)
    }
}

/// Lowercase hexadecimal as the contracts write digests.
enum HexDigits {
    /// The bytes of `text`, two hex digits each; digits that are not hex read as 0 (callers pass checked hex).
    static func bytes(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).map { index in
            UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) ?? 0
        }
    }
}
