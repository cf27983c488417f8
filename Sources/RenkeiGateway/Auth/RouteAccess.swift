import Hummingbird
import HummingbirdAuth
import RenkeiContracts

/// The linkage named in the path (`{linkage}`) and the caller's right to it: 404 when there is no such linkage,
/// 403 when the grant lacks `scope(linkage)`. The linkage goes into the context for the handler.
struct LinkageAccess: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let contracts: ContractSet
    let scope: @Sendable (Linkage) -> String

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let grant = try context.grant
        let id = context.parameters.get("linkage") ?? ""
        guard let linkage = contracts.linkage(id) else { throw Problem.notFound("There is no linkage `\(id)`.") }
        let required = scope(linkage)
        guard grant.scopes.contains(required) else { throw Problem.forbidden(scope: required) }
        var context = context
        context.linkage = linkage
        return try await next(request, context)
    }
}

/// Data routes are refused with 503 while the gateway is in maintenance mode.
struct InService: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let gateway: Gateway

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if gateway.inMaintenance { throw Problem.maintenance() }
        return try await next(request, context)
    }
}

extension RouterMethods where Context == GatewayRequestContext {
    /// Routes about the linkage `{linkage}` for callers holding `scope(linkage)`: refused in maintenance (503),
    /// without a valid token (401), for an unknown linkage (404) or without the scope (403), in that order.
    func linkageGroup(_ gateway: Gateway, scope: @escaping @Sendable (Linkage) -> String) -> RouterGroup<Context> {
        group().add(middleware: InService(gateway: gateway)).add(middleware: BearerAuthenticator(gateway: gateway))
            .add(middleware: LinkageAccess(contracts: gateway.contracts, scope: scope))
    }

    /// Routes for any caller with a valid token (401 otherwise); the handler decides what it may see.
    func authenticatedGroup(_ gateway: Gateway) -> RouterGroup<Context> {
        group().add(middleware: BearerAuthenticator(gateway: gateway))
    }

    /// Operator routes for callers holding `scope` (HummingbirdAuth's permission policy; 403 naming the scope).
    func operatorGroup(_ gateway: Gateway, scope: String) -> RouterGroup<Context> {
        authenticatedGroup(gateway).add(
            middleware: AuthorizationPolicyMiddleware(
                PermissionPolicy<AccessGrant>(scope), deniedError: Problem.forbidden(scope: scope),
                context: Context.self))
    }
}
