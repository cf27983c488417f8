import Foundation
import Hummingbird
import RenkeiContracts

/// Signing in and out of the console. An operator signs in with its client id and secret (the same credentials as
/// for `POST /oauth/token`); the gateway issues the operator's token itself and keeps it in the session. Systems'
/// credentials are refused: the console is for operators only. The sign-in form carries its own CSRF token, bound
/// to a short-lived cookie, so another site cannot sign a browser in under someone else's account.
struct ConsoleSignIn {
    static let formCookie = "renkei_console_signin"

    let gateway: Gateway
    let sessions: ConsoleSessions

    static func location(next: String?) -> String {
        let query = FormFields.query([("next", next.flatMap(safeNext))])
        return "/console/sign-in" + (query.isEmpty ? "" : "?" + query)
    }

    /// Only a console path, so the sign-in cannot send the browser to another site.
    static func safeNext(_ text: String) -> String? {
        text.hasPrefix("/console/") && !text.hasPrefix("/console//") && !text.contains("\\") ? text : nil
    }

    func register(on router: some RouterMethods<GatewayRequestContext>) {
        router.get("/sign-in") { request, _ in
            let next = request.uri.queryParameters["next"].map(String.init)
            return form(next: next, token: nil)
        }
        router.post("/sign-in") { request, context in try await signIn(request, context) }
    }

    /// `POST /console/sign-out`, among the signed-in routes: ``ConsoleAuthenticator`` has found the session and
    /// checked the form's CSRF token, so another site cannot sign an operator out.
    func registerSignOut(on router: some RouterMethods<GatewayRequestContext>) {
        router.post("/sign-out") { _, context in
            let session = try context.session
            sessions.close(session.id)
            gateway.logger.info("console sign-out", metadata: ["renkei.client": "\(session.clientID)"])
            return ConsolePage.redirect(to: "/console/sign-in", cookies: [cookie(ConsoleAuthenticator.cookie, "", 0)])
        }
    }

    /// A cookie of the console; without `maxAge` it lasts until the browser is closed.
    private func cookie(_ name: String, _ value: String, _ maxAge: Int?) -> Cookie {
        Cookie(
            name: name, value: value, maxAge: maxAge, path: "/console", secure: gateway.configuration.tls != nil,
            httpOnly: true, sameSite: .strict)
    }

    private func form(
        next: String?, token: String?, status: HTTPResponse.Status = .ok, alert: String? = nil,
        clientID: String = ""
    ) -> Response {
        let token = token ?? ConsoleSession.randomToken()
        let alertHTML: HTML = alert.map { "<p role=\"alert\" class=\"error\">\($0)</p>" } ?? .empty
        let nextField: HTML =
            next.flatMap(Self.safeNext).map { "<input type=\"hidden\" name=\"next\" value=\"\($0)\">" }
            ?? .empty
        let content: HTML = """
            <h1>サインイン / Sign in</h1>
            <p>運用担当のクライアントIDとシークレットでサインインします。 / Operators sign in with their OAuth client \
            credentials.</p>
            \(alertHTML)
            <form id="sign-in" method="post" action="/console/sign-in" class="card narrow">
            <input type="hidden" name="csrf" value="\(token)">
            \(nextField)
            <label for="client_id">クライアントID / Client ID</label>
            <input id="client_id" name="client_id" autocomplete="username" required value="\(clientID)" autofocus>
            <label for="client_secret">クライアントシークレット / Client secret</label>
            <input id="client_secret" name="client_secret" type="password" autocomplete="current-password" required>
            <label class="check"><input type="checkbox" name="personal" value="true"> 個人情報を表示する \
            （マイナンバー利用事務系の運用担当のみ） / Show personal values (mynumber-zone operators only)</label>
            <button type="submit">サインイン / Sign in</button>
            </form>
            """
        var response = ConsolePage(title: "サインイン / Sign in", content: content, status: status).response()
        response.setCookie(cookie(Self.formCookie, token, 30 * 60))
        return response
    }

    private func signIn(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let form = try await ConsoleAuthenticator.form(request, gateway: gateway)
        let next = form["next"].flatMap(Self.safeNext)
        guard ConsoleAuthenticator.isSameOrigin(request), let expected = request.cookies[Self.formCookie]?.value,
            let sent = form["csrf"],
            ConsoleAuthenticator.constantTimeEqual(sent, expected)
        else {
            return self.form(
                next: next, token: nil, status: .forbidden,
                alert: "サインインフォームの確認トークン（CSRF）が一致しません / The sign-in form's CSRF token does "
                    + "not match its cookie: this page was reloaded; sign in again.")
        }
        let clientID = form["client_id"] ?? ""
        let secret = form["client_secret"] ?? ""
        let basic =
            "Basic "
            + Data((FormFields.encode(clientID) + ":" + FormFields.encode(secret)).utf8)
            .base64EncodedString()
        let principal: Principal
        do {
            principal = try await gateway.tokens.authenticate(
                form: [:], authorization: basic, certificate: await context.clientCertificateSHA256())
        } catch {
            // What was typed as the client id is logged only when it names a client: it may be a mistyped secret.
            let known =
                gateway.contracts.operator(clientID: clientID) != nil
                || gateway.contracts.systems.contains {
                    $0.credentials?.clientID == clientID
                }
            gateway.logger.notice(
                "console sign-in refused", metadata: ["renkei.client": "\(known ? clientID : "(unknown)")"])
            return self.form(
                next: next, token: sent, status: .unauthorized,
                alert: "クライアントIDまたはシークレットが違います / Unknown client or wrong secret.",
                clientID: clientID)
        }
        guard principal.role == .operator, let owner = gateway.contracts.operator(clientID: principal.clientID) else {
            gateway.logger.notice(
                "console sign-in of a system refused", metadata: ["renkei.client": "\(principal.clientID)"])
            return self.form(
                next: next, token: sent, status: .forbidden,
                alert: "コンソールはオペレーター専用です / The console is for operators only: `\(principal.clientID)` "
                    + "is a system's client. Sign in with an operator's credentials (operators: in systems.yaml).")
        }
        // The unmasking scope only when asked for and allowed, as at the token endpoint.
        var scopes = Scopes.operatorScopes
        if form["personal"] == "true" {
            guard gateway.tokens.scopes.allowed(for: principal).contains(Scopes.deadLettersReadPersonal) else {
                return self.form(
                    next: next, token: sent, status: .forbidden,
                    alert: "個人情報を表示する権限がありません / `\(principal.clientID)` is not an operator of the "
                        + "mynumber zone, so it may not see personal values; sign in without that box ticked.",
                    clientID: clientID)
            }
            scopes.insert(Scopes.deadLettersReadPersonal)
        }
        let issued: TokenService.Issued
        do {
            issued = try await gateway.tokens.issue(for: principal, scope: scopes.sorted().joined(separator: " "))
        } catch {
            throw ConsoleError(.internalServerError, "トークンを発行できません / \(error.description)")
        }
        // A new session id at every sign-in (no fixation), and the browser's previous session ends.
        if let previous = request.cookies[ConsoleAuthenticator.cookie]?.value { sessions.close(previous) }
        let session = sessions.open(
            token: issued.token, expires: Date().addingTimeInterval(Double(issued.expiresIn)),
            clientID: principal.clientID, name: owner.name, scopes: issued.scope)
        gateway.logger.info("console sign-in", metadata: ["renkei.client": "\(principal.clientID)"])
        return ConsolePage.redirect(
            to: next ?? "/console/",
            cookies: [
                cookie(ConsoleAuthenticator.cookie, session.id, nil),
                cookie(Self.formCookie, "", 0),
            ])
    }
}
