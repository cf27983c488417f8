import Crypto
import Foundation

/// Compact JWS with HS256 (RFC 7515/7519): enough for client assertions (RFC 7523) signed with a client secret
/// and for the gateway's own access tokens. Nothing else is accepted: `alg` must be `HS256`.
enum JWT {
    struct Invalid: Error {
        var reason: String
    }

    /// Signs `claims` (a JSON object) with `key`.
    static func sign(claims: [String: Any], key: [UInt8], type: String = "JWT") -> String {
        let header = ["alg": "HS256", "typ": type]
        let headerPart = Base64URL.encode(try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        let claimsPart = Base64URL.encode(try! JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]))
        let input = "\(headerPart).\(claimsPart)"
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: key))
        return "\(input).\(Base64URL.encode(Data(mac)))"
    }

    /// The claims of `token` if its signature is `key`'s; does not check any claim.
    static func verify(_ token: String, key: [UInt8]) throws(Invalid) -> [String: Any] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]),
            let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any]
        else { throw Invalid(reason: "not a compact JWS") }
        guard header["alg"] as? String == "HS256" else { throw Invalid(reason: "alg must be HS256") }
        guard let signature = Base64URL.decode(parts[2]) else { throw Invalid(reason: "unreadable signature") }
        let input = Array("\(parts[0]).\(parts[1])".utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: input, using: SymmetricKey(data: key))
        else { throw Invalid(reason: "bad signature") }
        guard let claimsData = Base64URL.decode(parts[1]),
            let claims = try? JSONSerialization.jsonObject(with: claimsData) as? [String: Any]
        else { throw Invalid(reason: "unreadable claims") }
        return claims
    }

    /// The claims of `token` without checking its signature (to find whose secret to check it with).
    static func unverifiedClaims(_ token: String) -> [String: Any]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Base64URL.decode(parts[1]) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
}

enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: some StringProtocol) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}

enum SecretHash {
    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
