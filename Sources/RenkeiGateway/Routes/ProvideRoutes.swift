import Foundation
import HTTPTypes
import Hummingbird
import RenkeiBus
import RenkeiCodec
import RenkeiContracts

/// Provide (提供): single records and batches (`POST /linkages/{linkage}/records`), and bulk transfers streamed
/// with bounded memory (`POST /linkages/{linkage}/transfers`, `GET /transfers/{transfer}`).
struct ProvideRoutes {
    let gateway: Gateway

    func register(on router: some RouterMethods<GatewayRequestContext>) {
        let providers = router.linkageGroup(gateway, scope: Scopes.provide)
        providers.post("/linkages/{linkage}/records") { request, context in
            try await measured(context, .records) { try await provide(request, context) }
        }
        providers.post("/linkages/{linkage}/transfers") { request, context in
            try await measured(context, .transfer) { try await transfer(request, context) }
        }
        router.authenticatedGroup(gateway).get("/transfers/{transfer}") { request, context in
            try await showTransfer(request, context)
        }
    }

    static func format(of request: Request, bulk: Bool) throws -> SubmissionFormat {
        switch MediaTypeCheck.of(request) {
        case "application/json" where !bulk: return .json
        case "application/jsonl", "application/x-ndjson", "application/jsonlines": return .jsonLines
        case "text/csv": return .csv
        case let other:
            let accepted =
                bulk ? "text/csv or application/jsonl" : "application/json, application/jsonl or text/csv"
            throw Problem(
                .unsupportedMediaType, "unsupported-media-type", "Unsupported media type",
                detail: "The body is `\(other.isEmpty ? "(none)" : other)`; send \(accepted).")
        }
    }

    /// The body's encoding from the `charset` parameter of `Content-Type` (UTF-8 when absent); an encoding the
    /// codec does not read is refused with 415.
    static func encoding(of request: Request) throws -> TextEncoding {
        let parameters = (request.headers[.contentType] ?? "").split(separator: ";").dropFirst()
        for parameter in parameters {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "charset" else {
                continue
            }
            let name = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(["\""]))
            guard let encoding = TextEncoding(name: name) else {
                throw Problem(
                    .unsupportedMediaType, "unsupported-charset", "Unsupported charset",
                    detail: "The body's charset is `\(name)`; send utf-8, cp932 (windows-31j) or shift_jis.")
            }
            return encoding
        }
        return .utf8
    }

    /// Runs a provide handler and records its time and outcome (`renkei_provide_duration_seconds`), from the
    /// handler's start — the body not yet read — to its answer.
    private func measured(
        _ context: GatewayRequestContext, _ kind: GatewayMetrics.ProvideKind, _ handler: () async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        let linkage = try context.pathLinkage.id
        do {
            let response = try await handler()
            gateway.metrics.provideDuration(
                linkage: linkage, kind: kind, failure: nil, duration: ContinuousClock.now - started)
            return response
        } catch {
            gateway.metrics.provideDuration(
                linkage: linkage, kind: kind, failure: error, duration: ContinuousClock.now - started)
            throw error
        }
    }

    private func provide(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let linkage = try context.pathLinkage
        let grant = try context.grant
        let format = try Self.format(of: request, bulk: false)
        let purpose = try RequestPurposeHeader.purpose(of: request)
        guard try Self.encoding(of: request) == .utf8 else {
            throw Problem(
                .unsupportedMediaType, "unsupported-charset", "Unsupported charset",
                detail: "Records are UTF-8; send CP932 or Shift_JIS files as a transfer (`/linkages/{id}/transfers`).")
        }
        let body = try await gateway.collect(request, limit: gateway.configuration.maxBodyBytes)
        do {
            let receipt = try await gateway.bus.provide(
                linkage: linkage.id, provider: grant.principal.systemID ?? "", records: body, format: format,
                correlationID: request.headers[.renkeiCorrelation], traceParent: request.headers[.traceParent],
                requestPurpose: purpose)
            gateway.metrics.provided(linkage: linkage.id, receipt: receipt, bytes: body.count)
            let body: JSONValue = .object([
                ("accepted", .integer(receipt.accepted)), ("quarantined", .integer(receipt.quarantined)),
                ("eventIDs", .array(receipt.eventIDs.map { .string($0) })),
                (
                    "deliveredTo",
                    .object(receipt.deliveredTo.sorted { $0.key < $1.key }.map { ($0.key, .integer($0.value)) })
                ),
            ])
            return Gateway.json(body, status: .created)
        } catch {
            throw refusal(error, linkage: linkage)
        }
    }

    private func transfer(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let linkage = try context.pathLinkage
        let grant = try context.grant
        let format = try Self.format(of: request, bulk: true)
        let encoding = try Self.encoding(of: request)
        let purpose = try RequestPurposeHeader.purpose(of: request)
        let body = try LimitedBody(
            request, limit: gateway.configuration.maxTransferBytes, advice: "split it into several transfers")
        let id = UUID().uuidString.lowercased()
        let transfers = gateway.transfers
        transfers.begin(id: id, linkage: linkage.id, provider: grant.principal.clientID)
        do {
            let receipt = try await gateway.bus.provideBulk(
                linkage: linkage.id, provider: grant.principal.systemID ?? "", format: format, encoding: encoding,
                chunks: body,
                transferID: id, correlationID: request.headers[.renkeiCorrelation], requestPurpose: purpose,
                progress: { progress in transfers.update(id: id, progress: progress) })
            gateway.metrics.provided(linkage: linkage.id, receipt: receipt, bytes: body.bytesRead)
            let final = await transfers.finish(id: id, receipt: receipt)
            guard let state = final else { preconditionFailure("transfer \(id) was begun here") }
            return Gateway.json(state.json, status: .created, headers: [.location: "/transfers/\(id)"])
        } catch {
            let problem = body.exceeded ? body.tooLarge : refusal(error, linkage: linkage)
            await transfers.fail(id: id, code: problem.code)
            var withTransfer = problem
            withTransfer.extensions.append(("transfer", .string(id)))
            throw withTransfer
        }
    }

    private func showTransfer(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let grant = try context.grant
        let id = context.parameters.get("transfer") ?? ""
        guard let state = await gateway.transfers.state(id),
            state.provider == grant.principal.clientID || grant.principal.role == .operator
        else { throw Problem.notFound("There is no transfer `\(id)` of this client (statuses are kept a week).") }
        return Gateway.json(state.json)
    }

    /// The problem for a refused provide; nothing of the submission was delivered.
    private func refusal(_ error: any Error, linkage: Linkage) -> Problem {
        guard let error = error as? ProvideError else {
            if let problem = error as? Problem { return problem }
            return Problem(
                .internalServerError, "internal", "Internal error", detail: "The submission could not be completed.")
        }
        let status: HTTPResponse.Status
        switch error.code {
        case .unknownLinkage: status = .notFound
        case .notAProvideLinkage: status = .conflict
        case .notTheProvider: status = .forbidden
        case .invalidRecords, .noRecords: status = .unprocessableContent
        case .unreadableInput: status = .badRequest
        case .broker: status = .serviceUnavailable
        case .interrupted: status = .badRequest
        }
        if !error.recordErrors.isEmpty || error.invalidCount > 0 {
            for reason in Set(error.recordErrors.map(\.reason.rawValue)) {
                gateway.metrics.validationFailed(linkage: linkage.id, reason: reason)
            }
        }
        var problem = Problem(
            status, error.code.rawValue, "The submission was refused",
            detail: error.message)
        problem.errors = Problem.entries(error.recordErrors, layout: gateway.contracts.layout(linkage.layout))
        if error.invalidCount > 0 { problem.extensions.append(("invalidCount", .integer(error.invalidCount))) }
        return problem
    }
}

extension HTTPField.Name {
    /// A correlation id the provider chooses; carried in the envelope and the history.
    static let renkeiCorrelation = HTTPField.Name("Renkei-Correlation-ID")!
    /// W3C trace context.
    static let traceParent = HTTPField.Name("traceparent")!
}
