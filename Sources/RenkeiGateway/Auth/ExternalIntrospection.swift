import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Checks a Bearer token at an external authorization server's RFC 7662 introspection endpoint, for deployments
/// where the municipality's authorization server issues the tokens. The token's `client_id` must be a client of
/// the contracts; of its `scope`, only what the contracts allow that client is granted.
struct ExternalIntrospection {
    let url: String
    let gateway: Gateway

    func grant(_ token: String) async throws -> AccessGrant {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        if let client = gateway.configuration.externalIntrospectionClient {
            let credentials = Data("\(client.id):\(client.secret)".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        }
        let encoded =
            token.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~")))
            ?? token
        request.body = .bytes(ByteBuffer(string: "token=\(encoded)"))
        let response: HTTPClientResponse
        do {
            response = try await gateway.httpClient.execute(request, timeout: .seconds(5))
        } catch {
            throw Problem(
                .serviceUnavailable, "introspection-unavailable", "Token check unavailable",
                detail: "The authorization server's introspection endpoint cannot be reached.")
        }
        let body = try await response.body.collect(upTo: 64 * 1024)
        guard response.status == .ok,
            let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            object["active"] as? Bool == true, let clientID = object["client_id"] as? String
        else { throw Problem.unauthorized("The access token is not active.") }
        let principal: Principal
        if let system = gateway.contracts.systems.first(where: { $0.credentials?.clientID == clientID }) {
            principal = Principal(clientID: clientID, role: .system(system.id))
        } else if gateway.contracts.operators.contains(where: { $0.clientID == clientID }) {
            principal = Principal(clientID: clientID, role: .operator)
        } else {
            throw Problem.unauthorized("The access token's client is not registered in the contracts.")
        }
        return AccessGrant(
            principal: principal,
            scopes: Set((object["scope"] as? String ?? "").split(separator: " ").map(String.init))
                .intersection(gateway.tokens.scopes.allowed(for: principal)),
            issuedAt: (object["iat"] as? NSNumber)?.intValue ?? 0,
            expiresAt: (object["exp"] as? NSNumber)?.intValue ?? 0)
    }
}
