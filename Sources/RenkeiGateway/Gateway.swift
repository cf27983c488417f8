import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RenkeiBus
import RenkeiContracts
import Synchronization

/// Everything the routes share: the bus, the authorization server, metrics, transfers in progress, the delivery
/// service (for its lag), and the maintenance switch.
final class Gateway: Sendable {
    let bus: Bus
    let configuration: GatewayConfiguration
    let tokens: TokenService
    let metrics: GatewayMetrics
    let transfers = TransferRegistry()
    let queries: QueryClient
    /// The delivery service of this instance, when it runs one (`renkei_consumer_lag`).
    let delivery: DeliveryService?
    let logger: Logger
    let httpClient: HTTPClient
    private let maintenanceMode: Atomic<Bool>

    init(
        bus: Bus, tokens: TokenService, configuration: GatewayConfiguration, queries: QueryClient,
        metrics: GatewayMetrics = GatewayMetrics(), delivery: DeliveryService? = nil, logger: Logger
    ) {
        self.bus = bus
        self.configuration = configuration
        self.tokens = tokens
        self.metrics = metrics
        self.queries = queries
        self.delivery = delivery
        self.logger = logger
        self.httpClient = HTTPClient.shared
        self.maintenanceMode = Atomic(configuration.maintenance)
    }

    var contracts: ContractSet { bus.contracts }

    var inMaintenance: Bool {
        get { maintenanceMode.load(ordering: .relaxed) }
        set { maintenanceMode.store(newValue, ordering: .relaxed) }
    }

    // MARK: Bodies

    /// The whole body, up to `limit` bytes; 413 beyond.
    func collect(_ request: Request, limit: Int? = nil) async throws -> [UInt8] {
        let limit = limit ?? configuration.maxBodyBytes
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard bytes.count + buffer.readableBytes <= limit else {
                throw Problem(
                    .contentTooLarge, "body-too-large", "Body too large",
                    detail: "The body exceeds \(limit) bytes; send large data as a bulk transfer.")
            }
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
