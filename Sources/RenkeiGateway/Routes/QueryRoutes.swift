import Foundation
import HTTPTypes
import Hummingbird
import RenkeiBus
import RenkeiContracts

/// Query (照会): `POST /linkages/{linkage}/query` with `{"key": "…"}` or `{"conditions": {"item": "value"}}`.
/// The caller (a receiver of the query linkage) gets the provider's answer projected to its own items,
/// synchronously, or a 504 problem when the provider does not answer in time.
struct QueryRoutes {
    let gateway: Gateway

    func register(on router: some RouterMethods<GatewayRequestContext>) {
        router.linkageGroup(gateway, scope: Scopes.query).post("/linkages/{linkage}/query") { request, context in
            try await query(request, context)
        }
    }

    private func query(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let linkage = try context.pathLinkage
        let grant = try context.grant
        guard MediaTypeCheck.of(request) == "application/json" else {
            throw Problem(
                .unsupportedMediaType, "unsupported-media-type", "Unsupported media type",
                detail: "A query is a JSON object: {\"key\": …} or {\"conditions\": {…}}.")
        }
        let purpose = try RequestPurposeHeader.purpose(of: request)
        let body = try await gateway.collect(request, limit: BodyLimit.question)
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw Problem.badRequest("malformed-json", "The body is not a JSON object.")
        }
        let key = object["key"] as? String
        var conditions: [String: String] = [:]
        if let given = object["conditions"] {
            guard let mapping = given as? [String: String] else {
                throw Problem.badRequest("invalid-question", "`conditions` maps item keys or names to string values.")
            }
            conditions = mapping
        }
        let started = ContinuousClock.now
        do {
            let result = try await gateway.queries.ask(
                linkage: linkage.id, asker: grant.principal.systemID ?? "", key: key, conditions: conditions,
                timeout: gateway.configuration.queryTimeout, requestPurpose: purpose)
            record(linkage, "ok", since: started)
            var bytes =
                Array(#"{"correlationID":"#.utf8) + Array(JSONValue.string(result.correlationID).serialized().utf8)
            bytes += Array(#","records":["#.utf8)
            for (index, record) in result.records.enumerated() {
                if index > 0 { bytes.append(0x2C) }
                bytes += record
            }
            bytes += Array("]}".utf8)
            return Gateway.json(bytes)
        } catch {
            record(linkage, error.code.rawValue, since: started)
            let status: HTTPResponse.Status =
                switch error.code {
                case .unknownLinkage: .notFound
                case .notAQueryLinkage: .conflict
                case .notAReceiver: .forbidden
                case .invalidQuestion: .badRequest
                case .timeout: .gatewayTimeout
                case .providerError, .invalidAnswer: .badGateway
                case .broker: .serviceUnavailable
                }
            throw Problem(status, error.code.rawValue, "The query was not answered", detail: error.message)
        }
    }

    private func record(_ linkage: Linkage, _ outcome: String, since started: ContinuousClock.Instant) {
        gateway.metrics.queryDuration(
            linkage: linkage.id, outcome: outcome, seconds: TokenService.seconds(ContinuousClock.now - started))
    }
}
