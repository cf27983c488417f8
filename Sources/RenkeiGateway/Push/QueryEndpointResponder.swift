import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import RenkeiBus
import RenkeiContracts
import ServiceLifecycle

/// Answers the queries of each query linkage whose provider registered a `query` endpoint in systems.yaml: the
/// gateway POSTs the question (`{"key", "conditions"}`, with `ce-*` headers) to the endpoint and hands the JSON
/// answer to the bus, which validates and projects it.
struct QueryEndpointResponder: Service {
    let responder: QueryResponder

    static func responders(_ gateway: Gateway) async throws -> [QueryEndpointResponder] {
        var responders: [QueryEndpointResponder] = []
        for linkage in gateway.contracts.linkages where linkage.mode == .query {
            guard let endpoint = gateway.contracts.system(linkage.provider)?.endpoints.query else { continue }
            let client = gateway.httpClient
            let timeout = TimeAmount.nanoseconds(
                Int64(TokenService.seconds(gateway.configuration.outboundRequestTimeout) * 1e9))
            let responder = try await QueryResponder.start(bus: gateway.bus, linkage: linkage.id) { question in
                var request = HTTPClientRequest(url: endpoint)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "ce-specversion", value: "1.0")
                request.headers.add(name: "ce-id", value: question.correlationID)
                request.headers.add(name: "ce-type", value: EventType.queryRequest.rawValue)
                request.headers.add(name: "ce-source", value: Envelope.source(system: question.asker))
                request.headers.add(name: "ce-renkeilinkage", value: question.linkage)
                request.headers.add(name: "ce-renkeireceiver", value: question.asker)
                request.body = .bytes(ByteBuffer(bytes: question.body))
                let response = try await client.execute(request, timeout: timeout)
                guard (200..<300).contains(response.status.code) else {
                    throw QueryEndpointFailure(status: Int(response.status.code))
                }
                return Array(buffer: try await response.body.collect(upTo: 16 * 1024 * 1024))
            }
            responders.append(QueryEndpointResponder(responder: responder))
        }
        return responders
    }

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await responder.run()
        } onGracefulShutdown: {
            Task { await responder.shutdown() }
        }
    }
}

struct QueryEndpointFailure: Error, CustomStringConvertible {
    var status: Int
    var description: String { "the query endpoint answered HTTP \(status)" }
}
