import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RenkeiBus
import RenkeiContracts
import Synchronization

/// Everything the routes share: the bus, the authorization server, metrics and receivers' lag, transfers, and the
/// delivery service (for its file workers' lag). Transfer status and maintenance mode are the cluster's
/// (``SharedState``), the same at every instance.
final class Gateway: Sendable {
    let bus: Bus
    let configuration: GatewayConfiguration
    let tokens: TokenService
    let metrics: GatewayMetrics
    /// Every receiver's lag for `renkei_receiver_lag`; told each feed page served here (pull receivers' cursors).
    let receiverLag: ReceiverLagMonitor
    let transfers: TransferRegistry
    let queries: QueryClient
    /// The delivery service of this instance, when it runs one (its file workers' lag).
    let delivery: DeliveryService?
    let logger: Logger
    let httpClient: HTTPClient

    init(
        bus: Bus, tokens: TokenService, configuration: GatewayConfiguration, queries: QueryClient,
        metrics: GatewayMetrics = GatewayMetrics(), delivery: DeliveryService? = nil, logger: Logger
    ) {
        self.bus = bus
        self.configuration = configuration
        self.tokens = tokens
        self.metrics = metrics
        self.receiverLag = ReceiverLagMonitor(bus: bus)
        self.queries = queries
        self.delivery = delivery
        self.logger = logger
        self.httpClient = HTTPClient.shared
        self.transfers = TransferRegistry(bus: bus, logger: logger)
    }

    var contracts: ContractSet { bus.contracts }

    /// Whether the cluster is in maintenance mode (set at any instance).
    var inMaintenance: Bool { bus.shared.maintenance.enabled }

    // MARK: Bodies

    /// The whole body, up to `limit` bytes (``BodyLimit`` or the configuration); 413 beyond — at once when
    /// `Content-Length` announces more, so nothing of such a body is read.
    func collect(_ request: Request, limit: Int) async throws -> [UInt8] {
        if let declared = request.declaredBodyLength, declared > limit { throw Problem.bodyTooLarge(limit: limit) }
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard bytes.count + buffer.readableBytes <= limit else { throw Problem.bodyTooLarge(limit: limit) }
            bytes += buffer.readableBytesView
        }
        return bytes
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        json(Array(value.serialized().utf8), status: status, headers: headers)
    }

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// The media type of a request, without parameters, lowercased.
enum MediaTypeCheck {
    static func of(_ request: Request) -> String {
        (request.headers[.contentType] ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
    }
}

extension Request {
    /// The body length `Content-Length` announces, if it does.
    var declaredBodyLength: Int? { headers[.contentLength].flatMap { Int($0) } }
}
