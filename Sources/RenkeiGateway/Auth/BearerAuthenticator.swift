import Hummingbird
import HummingbirdAuth

/// Puts the grant of the request's Bearer token into the context (HummingbirdAuth's `identity`), for the routes
/// that need one: 401 when there is no Bearer token or it is not valid. With an external introspection URL the
/// token is checked there (503 when it cannot be reached).
struct BearerAuthenticator: AuthenticatorMiddleware {
    typealias Context = GatewayRequestContext
    let gateway: Gateway

    func authenticate(request: Request, context: Context) async throws -> AccessGrant? {
        guard let header = request.headers[.authorization], header.prefix(7).lowercased() == "bearer " else {
            throw Problem.unauthorized("This route needs a Bearer access token from POST /oauth/token.")
        }
        // Only the spaces and tabs HTTP allows around a value; Foundation's trimming went through NSString and cost
        // more than the rest of a cached token's check (bench/RESULTS.md, "Gateway under wrk").
        var text = header.dropFirst(7)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        let token = String(text)
        let grant: AccessGrant
        if let url = gateway.configuration.externalIntrospectionURL {
            grant = try await ExternalIntrospection(url: url, gateway: gateway).grant(token)
        } else if let valid = await gateway.tokens.validate(token) {
            grant = valid
        } else {
            throw Problem.unauthorized("The access token is not valid or has expired; get a new one.")
        }
        // The token's binding, or the certificate the contracts pin today (tokens of an external server, tokens
        // issued before the pin).
        let pinned = grant.principal.systemID.flatMap { gateway.contracts.system($0)?.credentials }?
            .clientCertificateSHA256
        if let bound = grant.certificateSHA256 ?? pinned, await context.clientCertificateSHA256() != bound {
            throw Problem.unauthorized(
                "The access token is bound to a TLS client certificate this connection did not present (RFC 8705).")
        }
        return grant
    }
}

extension AccessGrant: PermissionProviding {
    /// A grant's permissions are its scopes, for HummingbirdAuth's `PermissionPolicy`.
    var permissions: Set<String> { scopes }
}
