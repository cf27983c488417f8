public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
public import RenkeiBus
import RenkeiContracts
public import ServiceLifecycle

/// The long-running parts of a gateway process, for its one `ServiceGroup`.
public struct GatewayServices: Sendable {
    /// The HTTP application (with the query client's reply listener among its services).
    public let application: any Service
    /// The push workers and query-endpoint workers of this instance; `nil` when
    /// ``GatewayConfiguration/runsDispatchers`` is off.
    public let delivery: DeliveryService?

    /// Every service, the delivery service first: a service group stops them in reverse order, so the HTTP server
    /// stops taking requests before the workers leave their consumer groups.
    public var services: [any Service] { (delivery.map { [$0] } ?? []) + [application] }
}

/// Builds a gateway on a started bus: checks the client secrets against the contracts, starts listening for query
/// replies, builds the HTTP application and, when `configuration.runsDispatchers`, the bus's ``DeliveryService`` with
/// the gateway's HTTP client as its transport and the gateway's metrics as its observer. The caller runs
/// ``GatewayServices/services`` in its `ServiceGroup` and shuts the bus down afterwards.
///
/// `onServerRunning` gets the bound port (useful with port 0).
public func buildGateway(
    bus: Bus, secrets: ClientSecrets, configuration: GatewayConfiguration, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> GatewayServices {
    let (application, delivery) = try await makeApplication(
        bus: bus, secrets: secrets, configuration: configuration, logger: logger, onServerRunning: onServerRunning)
    return GatewayServices(application: application, delivery: delivery)
}

/// The gateway as one application: ``buildGateway(bus:secrets:configuration:logger:onServerRunning:)`` with the
/// delivery service run among the application's own services, for callers that run the application alone
/// (benchmarks).
public func buildApplication(
    bus: Bus, secrets: ClientSecrets, configuration: GatewayConfiguration, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let (application, _) = try await makeApplication(
        bus: bus, secrets: secrets, configuration: configuration, logger: logger, onServerRunning: onServerRunning,
        deliveryInsideApplication: true)
    return application
}

private func makeApplication(
    bus: Bus, secrets: ClientSecrets, configuration: GatewayConfiguration, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void, deliveryInsideApplication: Bool = false
) async throws -> (some ApplicationProtocol, DeliveryService?) {
    try secrets.verify(against: bus.contracts)
    try configuration.checkTokenSigningKey()
    let pinned = bus.contracts.systems.filter { $0.credentials?.clientCertificateSHA256 != nil }.map(\.id)
    if let first = pinned.first, configuration.tls?.clientCertificateAuthorityPath == nil {
        throw GatewayTLSError(
            "System `\(first)` must present a TLS client certificate (client-certificate-sha256 in the contracts), "
                + "so the gateway needs HTTPS with --tls-client-ca naming the authorities that issue them.")
    }
    let metrics = GatewayMetrics(contracts: bus.contracts)
    var delivery: DeliveryService?
    if configuration.runsDispatchers {
        var deliveryConfiguration = DeliveryConfiguration()
        deliveryConfiguration.requestTimeout = configuration.outboundRequestTimeout
        deliveryConfiguration.signers = try secrets.signers()
        delivery = DeliveryService(
            bus: bus, transport: HTTPWebhookTransport(client: .shared), configuration: deliveryConfiguration,
            observer: metrics)
    }
    // Before any client starts, so that a failure here leaves nothing running.
    if configuration.maintenance {
        try await bus.shared.setMaintenance(true, by: "instance:\(bus.configuration.instance)")
    }
    // Uploads this instance was taking when it last stopped: committed or cut off, as the history says.
    let settled = try await bus.settleInterruptedTransfers()
    if settled > 0 {
        logger.warning(
            "transfers taken when this instance last stopped settled", metadata: ["renkei.transfers": "\(settled)"])
    }
    let queries = try await QueryClient.start(bus: bus)
    let tokens = await TokenService.make(
        contracts: bus.contracts, secrets: secrets, configuration: configuration, ledger: .shared(bus.shared))
    let gateway = Gateway(
        bus: bus, tokens: tokens, configuration: configuration, queries: queries, metrics: metrics,
        delivery: delivery, logger: logger)
    let router = buildRouter(gateway)
    var services: [any Service] = [QueryClientService(client: queries)]
    if deliveryInsideApplication, let delivery { services.append(delivery) }
    let workers = delivery?.plannedWorkers.count ?? 0
    let http1 = LimitedHTTP1Channel.server(
        idleTimeout: configuration.idleTimeout, limits: configuration.requestHead)
    let server = try configuration.tls.map {
        try HTTPServerBuilder.tls(http1, tlsConfiguration: $0.serverConfiguration())
    }
    let application = Application(
        router: router,
        server: server ?? http1,
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "renkei"),
        services: services,
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            gateway.tokens.tokenEndpoint = configuration.tokenEndpoint(boundPort: port)
            logger.info(
                "gateway listening",
                metadata: ["renkei.address": "\(configuration.host):\(port)", "renkei.workers": "\(workers)"])
            await onServerRunning(port)
        },
        logger: logger)
    return (application, delivery)
}

/// Every route of the gateway. docs/openapi.yaml documents exactly these (checked by a test).
func buildRouter(_ gateway: Gateway) -> Router<GatewayRequestContext> {
    let router = Router(context: GatewayRequestContext.self)
    let allowed = AllowedMethods()
    router.add(middleware: ProblemMiddleware(logger: gateway.logger, allowed: allowed))
    let routes = RecordingRouter(router: router, allowed: allowed)
    OAuthRoutes(gateway: gateway).register(on: routes)
    ProvideRoutes(gateway: gateway).register(on: routes)
    FeedRoutes(gateway: gateway).register(on: routes)
    FileRoutes(gateway: gateway).register(on: routes)
    QueryRoutes(gateway: gateway).register(on: routes)
    OperatorRoutes(gateway: gateway).register(on: routes)
    HealthRoutes(gateway: gateway).register(on: routes)
    ConsoleRoutes(gateway: gateway).register(on: routes)
    return router
}

/// Turns errors that are not already HTTP errors into a 500 problem without internals, and logs them.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let logger: Logger
    /// The methods of each route path, for 405 answers.
    let allowed: AllowedMethods

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            if let problem = error as? Problem { return try problem.response(from: request, context: context) }
            if error.status == .notFound {
                let methods = allowed.methods(for: request.uri.path)
                // A handler's own 404 (a route that exists under this method) stays a 404.
                guard methods.isEmpty || methods.contains(request.method) else {
                    let allow = AllowedMethods.allowHeader(methods)
                    var response = try Problem(
                        .methodNotAllowed, "method-not-allowed", "Method not allowed",
                        detail: "\(request.method) is not allowed on \(request.uri.path); it allows \(allow)."
                    ).response(from: request, context: context)
                    response.headers[.allow] = allow
                    return response
                }
                return try Problem.notFound("There is no route \(request.method) \(request.uri.path).")
                    .response(from: request, context: context)
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
