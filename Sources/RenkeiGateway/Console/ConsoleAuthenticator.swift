import Foundation
import HTTPTypes
import Hummingbird

/// Finds the session of the `renkei_console` cookie and puts it, with its token's grant, into the context. Without
/// a live session (or when its token no longer validates) a page request is sent to the sign-in page, which brings
/// the operator back afterwards. A POST's body is read here (≤ ``formLimit``) and must carry the session's CSRF
/// token; the parsed form goes into the context for the handler.
struct ConsoleAuthenticator: RouterMiddleware {
    typealias Context = GatewayRequestContext
    static let cookie = "renkei_console"
    static let formLimit = 1 << 20

    let gateway: Gateway
    let sessions: ConsoleSessions

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let id = request.cookies[Self.cookie]?.value, let session = sessions.session(id),
            let grant = await grant(session)
        else {
            let target = request.method == .get ? request.uri.path + (request.uri.query.map { "?" + $0 } ?? "") : nil
            return ConsolePage.redirect(to: ConsoleSignIn.location(next: target))
        }
        // A token bound to a client certificate (RFC 8705) is used only over a connection presenting it, so a
        // copied cookie is no use elsewhere.
        if let bound = grant.certificateSHA256, await context.clientCertificateSHA256() != bound {
            sessions.close(id)
            return ConsolePage.redirect(to: ConsoleSignIn.location(next: nil))
        }
        var context = context
        context.identity = grant
        context.consoleSession = session
        if request.method == .post {
            guard Self.isSameOrigin(request) else { throw ConsoleError.crossSite }
            let form = try await Self.form(request, gateway: gateway)
            guard let sent = form["csrf"], Self.constantTimeEqual(sent, session.csrf) else { throw ConsoleError.csrf }
            context.consoleForm = form
        }
        return try await next(request, context)
    }

    /// The grant of the session's token; a new token, with the scopes of the sign-in, when the old one expires within a
    /// minute. `nil` when the operator no longer holds those scopes under today's contracts (sign in again).
    private func grant(_ session: ConsoleSession) async -> AccessGrant? {
        if session.tokenExpires.timeIntervalSinceNow > 60, let grant = await gateway.tokens.validate(session.token) {
            return grant
        }
        guard gateway.contracts.operator(clientID: session.clientID) != nil,
            let issued = try? await gateway.tokens.issue(
                for: Principal(clientID: session.clientID, role: .operator), scope: session.scopes)
        else { return nil }
        sessions.renew(session.id, token: issued.token, expires: Date().addingTimeInterval(Double(issued.expiresIn)))
        return await gateway.tokens.validate(issued.token)
    }

    static func form(_ request: Request, gateway: Gateway) async throws -> FormFields {
        guard MediaTypeCheck.of(request) == "application/x-www-form-urlencoded" else {
            throw ConsoleError.badForm("フォームの形式が違います / A console form is sent as application/x-www-form-urlencoded.")
        }
        let body = try await gateway.collect(request, limit: formLimit)
        guard let form = FormFields(encoded: body) else {
            throw ConsoleError.badForm("フォームを読めません / The form is not valid percent-encoded UTF-8.")
        }
        return form
    }

    /// Whether a form was sent from the gateway's own pages, as far as the browser says (`Sec-Fetch-Site`, else
    /// `Origin` against `Host`); a request that says nothing (not a browser) passes to the CSRF token check.
    static func isSameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!] {
            return site == "same-origin" || site == "none"
        }
        guard let origin = request.headers[HTTPField.Name("Origin")!] else { return true }
        guard let host = request.head.authority ?? request.headers[HTTPField.Name("Host")!] else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Routes for operators whose token holds `scope`: a page saying which scope is missing otherwise.
struct ConsoleScope: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let scope: String

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard try context.grant.scopes.contains(scope) else { throw ConsoleError.missingScope(scope) }
        return try await next(request, context)
    }
}
