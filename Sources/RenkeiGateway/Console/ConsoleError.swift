import HTTPTypes
import Hummingbird

/// An error a console route answers with a page: the status, and what went wrong in words an operator can act on.
struct ConsoleError: Error {
    var status: HTTPResponse.Status
    var message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    static func missingScope(_ scope: String) -> ConsoleError {
        ConsoleError(
            .forbidden,
            "この操作の権限がありません / Your token lacks the scope `\(scope)` this page needs; sign in again as an "
                + "operator who holds it.")
    }

    static let csrf = ConsoleError(
        .forbidden,
        "フォームの確認トークン（CSRF）がありません / The form's CSRF token is missing or wrong: reload the page and "
            + "submit it again.")

    static let crossSite = ConsoleError(
        .forbidden,
        "他のサイトから送られたフォームは受け付けません / A form sent from another site is refused (CSRF).")

    static func badForm(_ detail: String) -> ConsoleError { ConsoleError(.badRequest, detail) }
}

/// Renders the errors of console routes as pages (an alert on a page with the navigation), not as problem JSON;
/// errors that are not the operator's to fix are logged and shown without internals.
struct ConsoleErrorPages: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let gateway: Gateway

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ConsoleError {
            return page(error.status, error.message, context)
        } catch let problem as Problem {
            return page(problem.status, problem.detail, context)
        } catch let error as any HTTPResponseError where error.status == .notFound {
            return page(.notFound, "ページがありません / There is no console page \(request.uri.path).", context)
        } catch {
            gateway.logger.error(
                "console request failed", metadata: ["renkei.path": "\(request.uri.path)", "renkei.error": "\(error)"])
            return page(
                .internalServerError,
                "処理できませんでした / The console could not complete this; the error is logged.", context)
        }
    }

    private func page(_ status: HTTPResponse.Status, _ message: String, _ context: Context) -> Response {
        ConsolePage(
            title: "エラー / Error", session: context.consoleSession,
            content: "<h1>エラー / Error \(status.code)</h1><p role=\"alert\" class=\"error\">\(message)</p>",
            status: status
        ).response()
    }
}
