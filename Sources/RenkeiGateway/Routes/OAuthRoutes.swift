import Foundation
import HTTPTypes
import Hummingbird
import RenkeiContracts

/// `POST /oauth/token` (client-credentials grant) and `POST /oauth/introspect` (RFC 7662).
struct OAuthRoutes {
    let gateway: Gateway

    func register(on router: some RouterMethods<GatewayRequestContext>) {
        router.post("/oauth/token") { request, context in try await token(request, context) }
        router.post("/oauth/introspect") { request, context in try await introspect(request, context) }
    }

    private func form(_ request: Request) async throws -> [String: String] {
        guard MediaTypeCheck.of(request) == "application/x-www-form-urlencoded" else {
            throw OAuthError.invalidRequest("The body must be application/x-www-form-urlencoded.")
        }
        guard let form = FormBody.parse(try await gateway.collect(request, limit: BodyLimit.oauthForm)) else {
            throw OAuthError.invalidRequest("The form is not valid percent-encoded UTF-8.")
        }
        return form
    }

    private func token(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let form = try await form(request)
        guard form["grant_type"] == "client_credentials" else {
            throw OAuthError.unsupportedGrantType("Only grant_type=client_credentials is supported.")
        }
        let principal = try await gateway.tokens.authenticate(
            form: form, authorization: request.headers[.authorization],
            certificate: await context.clientCertificateSHA256())
        let issued = try await gateway.tokens.issue(for: principal, scope: form["scope"])
        gateway.logger.info(
            "access token issued",
            metadata: ["renkei.client": "\(principal.clientID)", "renkei.scopes": "\(issued.scope)"])
        let body: JSONValue = .object([
            ("access_token", .string(issued.token)), ("token_type", "Bearer"),
            ("expires_in", .integer(issued.expiresIn)), ("scope", .string(issued.scope)),
        ])
        return Gateway.json(body, headers: [.cacheControl: "no-store"])
    }

    /// Any authenticated client may introspect (providers check the tokens their callers present).
    private func introspect(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let form = try await form(request)
        _ = try await gateway.tokens.authenticate(
            form: form, authorization: request.headers[.authorization],
            certificate: await context.clientCertificateSHA256())
        guard let token = form["token"] else { throw OAuthError.invalidRequest("The `token` parameter is missing.") }
        guard let grant = await gateway.tokens.validate(token) else {
            return Gateway.json(.object([("active", false)]), headers: [.cacheControl: "no-store"])
        }
        var members: [(String, JSONValue)] = [
            ("active", true), ("scope", .string(grant.scopes.sorted().joined(separator: " "))),
            ("client_id", .string(grant.principal.clientID)), ("sub", .string(grant.principal.clientID)),
            ("token_type", "Bearer"), ("exp", .integer(grant.expiresAt)), ("iat", .integer(grant.issuedAt)),
            ("iss", .string(gateway.tokens.issuer)), ("aud", .string(TokenService.audience)),
        ]
        if let system = grant.principal.systemID { members.append(("renkei_system", .string(system))) }
        if let certificate = grant.certificateSHA256 {
            // RFC 8705 §3.2: a resource server that introspects must see the binding.
            let thumbprint = AccessTokenClaims.Confirmation(certificateSHA256: certificate).thumbprint
            members.append(("cnf", .object([("x5t#S256", .string(thumbprint))])))
        }
        return Gateway.json(.object(members), headers: [.cacheControl: "no-store"])
    }
}
