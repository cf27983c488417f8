import Crypto
package import Foundation

/// Compact HS256 JWS made by the tests themselves (RFC 7515 by hand, not the gateway's jwt-kit), so that the
/// gateway's checks are tried against tokens it did not make, including ones no correct library would make.
package enum TestJWT {
    package static func sign(
        claims: [String: Any], key: [UInt8], header: [String: Any] = ["alg": "HS256", "typ": "JWT"]
    )
        -> String
    {
        let input = part(header) + "." + part(claims)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: key))
        return input + "." + base64URL(Data(mac))
    }

    package static func part(_ object: [String: Any]) -> String {
        base64URL(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    package static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
