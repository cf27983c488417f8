import Foundation
import FuzzSupport

/// An assertion whose every part is picked by one input byte from values that are right or wrong in a known way,
/// and whether the token endpoint must accept it, worked out from the rules (RFC 7523 as the gateway documents it):
/// HS256 signed with the issuer's secret, `iss` = `sub` = the client (and `client_id` when sent), `aud` naming the
/// token endpoint, an `exp` not past (with the clock skew), a `jti` not empty and not seen before.
struct Claims {
    static let endpoint = "https://bus.example/oauth/token"
    static let clients = ["sys-001", "sys-018", "nobody", ""]

    var header: [String: Any] = ["alg": "HS256", "typ": "JWT"]
    var claims: [String: Any] = [:]
    var signer: String?
    var clientIDField: String?
    var acceptable = true

    init(_ input: inout FuzzInput, secrets: [String: String], jti: String) {
        let issuer = Self.clients[Int(input.takeByte()) % Self.clients.count]
        claims["iss"] = issuer
        acceptable = secrets[issuer] != nil
        switch input.takeByte() % 3 {
        case 0: claims["sub"] = issuer
        case 1: claims["sub"] = Self.clients[Int(input.takeByte()) % Self.clients.count]
        default: break
        }
        if claims["sub"] as? String != issuer { acceptable = false }
        switch input.takeByte() % 6 {
        case 0: claims["aud"] = Self.endpoint
        case 1: claims["aud"] = ["https://other.example", Self.endpoint]
        case 2: claims["aud"] = "https://other.example"
        case 3: claims["aud"] = Self.endpoint + "/"
        case 4: claims["aud"] = 7
        default: break
        }
        let audiences = (claims["aud"] as? String).map { [$0] } ?? (claims["aud"] as? [String]) ?? []
        if !audiences.contains(Self.endpoint) { acceptable = false }
        let now = Date().timeIntervalSince1970
        switch input.takeByte() % 5 {
        case 0: claims["exp"] = Int(now) + 120
        case 1: claims["exp"] = Int(now) - 3600
        case 2: claims["exp"] = "\(Int(now) + 120)"
        case 3: claims["exp"] = now + 120.5
        default: break
        }
        if !(claims["exp"] is Int || claims["exp"] is Double) || (claims["exp"] as? Int).map({ $0 < Int(now) }) == true
        {
            acceptable = false
        }
        switch input.takeByte() % 4 {
        case 0, 1: claims["jti"] = jti
        case 2: claims["jti"] = ""
        default: break
        }
        if (claims["jti"] as? String ?? "").isEmpty { acceptable = false }
        switch input.takeByte() % 5 {
        case 0: header["alg"] = "none"
        case 1: header["alg"] = "HS512"
        case 2: header = ["typ": "JWT"]
        default: break
        }
        if header["alg"] as? String != "HS256" { acceptable = false }
        switch input.takeByte() % 4 {
        case 0: signer = "sys-018"
        case 1: signer = nil
        default: signer = issuer
        }
        if signer != issuer { acceptable = false }
        switch input.takeByte() % 4 {
        case 0: clientIDField = issuer
        case 1: clientIDField = "sys-018"
        default: clientIDField = nil
        }
        if let clientIDField, clientIDField != issuer { acceptable = false }
    }

    var description: String { "header \(header) claims \(claims) signed by \(signer ?? "an unknown secret")" }
}
