public import Hummingbird
public import Logging
public import RenkeiBus
import RenkeiContracts
import ServiceLifecycle

/// Builds the gateway's HTTP application on a started bus: checks the client secrets against the contracts,
/// starts listening for query replies, and adds the push dispatchers and query responders as services (when
/// `configuration.runsDispatchers`). The caller runs the application (in its `ServiceGroup`) and shuts the bus
/// down afterwards.
///
/// `onServerRunning` gets the bound port (useful with port 0).
public func buildApplication(
    bus: Bus, secrets: ClientSecrets, configuration: GatewayConfiguration, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    try secrets.verify(against: bus.contracts)
    let queries = try await QueryClient.start(bus: bus)
    let gateway = try Gateway(
        bus: bus, secrets: secrets, configuration: configuration, queries: queries, logger: logger)
    let router = buildRouter(gateway)
    var services: [any Service] = [QueryClientService(client: queries)]
    if configuration.runsDispatchers {
        let dispatchers = PushDispatcher.dispatchers(gateway)
        gateway.dispatchers = dispatchers
        services += dispatchers
        services += try await QueryEndpointResponder.responders(gateway)
    }
    let serviceCount = services.count
    return Application(
        router: router,
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "renkei"),
        services: services,
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            gateway.tokens.tokenEndpoint = configuration.tokenEndpoint(boundPort: port)
            logger.info(
                "gateway listening",
                metadata: ["renkei.address": "\(configuration.host):\(port)", "renkei.services": "\(serviceCount)"])
            await onServerRunning(port)
        },
        logger: logger)
}

/// Every route of the gateway. docs/openapi.yaml documents exactly these (checked by a test).
func buildRouter(_ gateway: Gateway) -> Router<GatewayRequestContext> {
    let router = Router(context: GatewayRequestContext.self)
    router.add(middleware: ProblemMiddleware(logger: gateway.logger))
    OAuthRoutes(gateway: gateway).register(on: router)
    ProvideRoutes(gateway: gateway).register(on: router)
    FeedRoutes(gateway: gateway).register(on: router)
    QueryRoutes(gateway: gateway).register(on: router)
    OperatorRoutes(gateway: gateway).register(on: router)
    HealthRoutes(gateway: gateway).register(on: router)
    return router
}

/// Turns errors that are not already HTTP errors into a 500 problem without internals, and logs them.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let logger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            if let problem = error as? Problem { return try problem.response(from: request, context: context) }
            if error.status == .notFound {
                return try Problem.notFound("There is no route \(request.method) \(request.uri.path).")
                    .response(from: request, context: context)
            }
            if error.status == .methodNotAllowed {
                return try Problem(
                    .methodNotAllowed, "method-not-allowed", "Method not allowed",
                    detail: "\(request.method) is not allowed on \(request.uri.path)."
                ).response(from: request, context: context)
            }
            throw error
        } catch {
            logger.error(
                "request failed", metadata: ["renkei.path": "\(request.uri.path)", "renkei.error": "\(error)"])
            return try Problem(
                .internalServerError, "internal", "Internal error",
                detail: "The gateway could not complete the request; the error is logged."
            ).response(from: request, context: context)
        }
    }
}

/// Runs the query client's reply listener for the lifetime of the application.
struct QueryClientService: Service {
    let client: QueryClient

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await client.run()
        } onGracefulShutdown: {
            Task { await client.shutdown() }
        }
    }
}
