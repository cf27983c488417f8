import RenkeiContracts

/// Answers the queries of one query linkage whose provider registered a `query` endpoint in systems.yaml: a
/// ``QueryResponder`` whose handler POSTs the question (`{"key", "conditions"}`, with `ce-*` headers) to the
/// endpoint through the ``WebhookTransport`` and hands the JSON answer back to be validated and projected.
final class QueryEndpointWorker: DeliveryWorker {
    let id: DeliveryWorkerID
    private let responder: QueryResponder

    private init(id: DeliveryWorkerID, responder: QueryResponder) {
        self.id = id
        self.responder = responder
    }

    /// A worker for query linkage `linkage`, answering through `endpoint`; joins the group `renkei-query.<linkage>`.
    static func make(
        bus: Bus, linkage: Linkage, endpoint: String, transport: any WebhookTransport, signers: WebhookSigners,
        timeout: Duration
    ) async throws -> QueryEndpointWorker {
        let responder = try await QueryResponder.start(bus: bus, linkage: linkage.id) { question in
            var attributes = [
                ("ce-specversion", "1.0"), ("ce-id", question.correlationID),
                ("ce-type", EventType.queryRequest.rawValue), ("ce-source", Envelope.source(system: question.asker)),
                ("ce-renkeilinkage", question.linkage), ("ce-renkeireceiver", question.asker),
            ]
            for (name, value) in [
                (EnvelopeHeader.requestPurpose, question.requestPurpose),
                (EnvelopeHeader.contractVersion, question.contractVersion),
            ] {
                if let value, let http = EnvelopeHeader.httpName(name) { attributes.append((http, value)) }
            }
            let headers =
                [("Content-Type", "application/json")] + attributes.map { ($0, CloudEventsHTTPValue.encode($1)) }
            let signature = signers.headers(system: linkage.provider, id: question.correlationID, body: question.body)
            let answer = await transport.post(
                url: endpoint, headers: headers + signature, body: question.body, timeout: timeout,
                responseLimit: 16 * 1024 * 1024)
            switch answer {
            case .answered(let status, let body):
                guard (200..<300).contains(status) else {
                    throw QueryEndpointFailure(description: "the query endpoint answered HTTP \(status)")
                }
                guard let body else {
                    throw QueryEndpointFailure(description: "the query endpoint's answer is too long or unreadable")
                }
                return body
            case .unreachable(let problem):
                throw QueryEndpointFailure(description: "the query endpoint could not be reached: \(problem)")
            }
        }
        return QueryEndpointWorker(
            id: DeliveryWorkerID(linkage: linkage.id, system: linkage.provider, method: .queryEndpoint),
            responder: responder)
    }

    func run() async throws {
        // The responder waits for requests without a timeout; leaving its group is what ends the wait.
        do {
            try await withTaskCancellationHandler {
                try await responder.run()
            } onCancel: {
                Task { await responder.shutdown() }
            }
        } catch is CancellationError {
        }
        await responder.shutdown()
    }
}

/// The provider's query endpoint could not be reached or did not answer with 2xx.
struct QueryEndpointFailure: Error, CustomStringConvertible {
    var description: String
}
