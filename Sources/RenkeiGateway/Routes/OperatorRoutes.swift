import Foundation
import HTTPTypes
import Hummingbird
import RenkeiBus
import RenkeiContracts

/// Operators only (scopes `030:…`): dead letters list/show/replay, history query/verify, maintenance mode.
struct OperatorRoutes {
    let gateway: Gateway

    func register(on router: some RouterMethods<GatewayRequestContext>) {
        let readers = router.operatorGroup(gateway, scope: Scopes.deadLettersRead)
        readers.get("/operations/dead-letters") { request, _ in try await listDeadLetters(request) }
        readers.get("/operations/dead-letters/{topic}/{partition}/{offset}") { request, context in
            try await showDeadLetter(request, context)
        }
        router.operatorGroup(gateway, scope: Scopes.deadLettersReplay).post(
            "/operations/dead-letters/{topic}/{partition}/{offset}/replay"
        ) { request, context in try await replay(request, context) }
        let historians = router.operatorGroup(gateway, scope: Scopes.historyRead)
        historians.get("/operations/history") { request, _ in try await history(request) }
        historians.get("/operations/history/verify") { request, _ in try await verify(request) }
        router.operatorGroup(gateway, scope: Scopes.gatewayManage).put("/operations/maintenance") {
            request, context in try await maintenance(request, context)
        }
    }

    private func listDeadLetters(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let filter = DeadLetterFilter(
            linkage: query["linkage"].map(String.init), receiver: query["receiver"].map(String.init),
            reason: query["reason"].map(String.init), since: try Self.date(query["since"], "since"),
            until: try Self.date(query["until"], "until"))
        let letters = try await DeadLetterReader(bus: gateway.bus).list(filter)
        return Gateway.json(.object([("deadLetters", .array(letters.map { Self.json($0) }))]))
    }

    private func reference(_ context: GatewayRequestContext) throws -> DeadLetterReference {
        let text = [
            context.parameters.get("topic") ?? "", context.parameters.get("partition") ?? "",
            context.parameters.get("offset") ?? "",
        ].joined(separator: "/")
        guard let reference = DeadLetterReference(parsing: text) else {
            throw Problem.badRequest("invalid-reference", "A dead letter is named topic/partition/offset.")
        }
        return reference
    }

    private func showDeadLetter(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let reference = try reference(context)
        guard let letter = try await DeadLetterReader(bus: gateway.bus).show(reference) else {
            throw Problem.notFound("There is no dead letter \(reference).")
        }
        let grant = try context.grant
        let access = gateway.deadLetterAccess(for: grant)
        try await gateway.bus.recordDeadLetterRead(letter, operatorID: grant.principal.clientID, access: access)
        let value = DeadLetterMasking.value(of: letter, access: access, contracts: gateway.contracts)
        return Gateway.json(Self.json(letter, value: (value, access)))
    }

    /// A dry run unless `execute=true`; a letter replayed before is refused (409) unless `force=true`.
    private func replay(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let reference = try reference(context)
        let query = request.uri.queryParameters
        let execute = try Self.flag(query["execute"], "execute")
        let force = try Self.flag(query["force"], "force")
        let outcome: ReplayOutcome
        do {
            outcome = try await gateway.bus.replay(
                reference, dryRun: !execute, force: force, operatorID: try context.grant.principal.clientID)
        } catch let error as ReplayError {
            throw Problem.notFound(error.description)
        }
        switch outcome.result {
        case .delivered(let receivers):
            return Gateway.json(
                .object([
                    ("reference", .string(reference.description)), ("performed", .bool(outcome.performed)),
                    ("eventId", outcome.letter.envelope.map { .string($0.id) } ?? .null),
                    ("receivers", .array(receivers.map(JSONValue.string))),
                ]))
        case .stillInvalid(let reasons):
            throw Problem(
                .unprocessableContent, "still-invalid", "The record still fails validation",
                detail: "\(reference) fails validation against the current contracts ("
                    + reasons.joined(separator: ", ") + "); nothing was sent.")
        case .alreadyReplayed(let time):
            throw Problem(
                .conflict, "already-replayed", "Already replayed",
                detail: "\(reference) was replayed at \(Timestamp.format(time)); add force=true to replay it again.")
        }
    }

    private func history(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var kind: HistoryEntry.Kind?
        if let text = query["kind"] {
            guard let parsed = HistoryEntry.Kind(rawValue: String(text)) else {
                throw Problem.badRequest(
                    "invalid-parameter",
                    "`kind` is one of \(HistoryEntry.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            kind = parsed
        }
        let filter = HistoryFilter(
            linkage: query["linkage"].map(String.init), system: query["system"].map(String.init),
            key: query["key"].map(String.init), kind: kind, outcome: query["outcome"].map(String.init),
            since: try Self.date(query["since"], "since"), until: try Self.date(query["until"], "until"))
        var limit = 100
        if let text = query["limit"] {
            guard let value = Int(text), (1...HistoryQuery.maxLimit).contains(value) else {
                throw Problem.badRequest(
                    "invalid-parameter", "`limit` is a whole number from 1 to \(HistoryQuery.maxLimit).")
            }
            limit = value
        }
        var cursor: HistoryCursor?
        if let text = query["cursor"] {
            guard let parsed = HistoryCursor(text: String(text)) else {
                throw Problem.badRequest(
                    "invalid-parameter", "`cursor` is not one this server gave: pass the `next` of the previous page.")
            }
            cursor = parsed
        }
        // Wait briefly for what was committed just now; a long rebuild answers at once, saying how far behind.
        await gateway.bus.history.catchUp(within: .seconds(2))
        let page = try await gateway.bus.history.page(HistoryQuery(filter: filter, limit: limit, cursor: cursor))
        return Gateway.json(Array(try HistoryPageDocument(page).encoded()))
    }

    private func verify(_ request: Request) async throws -> Response {
        let report = try await HistoryReader(bus: gateway.bus).verify()
        return Gateway.json(
            .object([
                ("intact", .bool(report.isIntact)), ("entries", .integer(report.entries)),
                ("chains", .integer(report.chains)),
                ("problems", .array(report.problems.map { .string($0.description) })),
                ("problemCount", .integer(report.problemCount)),
                ("retainedFrom", .integer(Int(report.retainedFrom))),
                ("expired", .array(report.expired.map { .string($0.description) })),
                ("checkpoint", report.checkpoint.map(Self.json) ?? .null),
            ]))
    }

    /// A checkpoint in the form `renkei history verify --from-checkpoint` reads.
    static func json(_ checkpoint: HistoryCheckpoint) -> JSONValue {
        let chains = checkpoint.chains.sorted { $0.key < $1.key }.map { chain, anchor -> (String, JSONValue) in
            (
                chain,
                .object([
                    ("hash", .string(anchor.hash)), ("offset", .integer(Int(anchor.offset))),
                    ("sequence", .integer(anchor.sequence)),
                ])
            )
        }
        return .object([("chains", .object(chains)), ("offset", .integer(Int(checkpoint.offset)))])
    }

    private func maintenance(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let grant = try context.grant
        let body = try await gateway.collect(request, limit: BodyLimit.maintenance)
        guard let enabled = try? JSONDecoder().decode(MaintenanceSwitch.self, from: Data(body)).enabled else {
            throw Problem.badRequest("malformed-json", "The body is {\"enabled\": true|false}.")
        }
        do {
            try await gateway.bus.shared.setMaintenance(enabled, by: grant.principal.clientID)
        } catch {
            throw Problem(
                .serviceUnavailable, "broker-unavailable", "Broker unavailable",
                detail: "Maintenance mode is kept in Kafka for every instance, and the broker did not confirm the "
                    + "change in time; it may still take effect. Check GET /health/ready and switch again.",
                headers: [.retryAfter: "5"])
        }
        gateway.logger.notice(
            "maintenance mode changed",
            metadata: ["renkei.client": "\(grant.principal.clientID)", "renkei.enabled": "\(enabled)"])
        return Gateway.json(.object([("maintenance", .bool(enabled))]))
    }

    /// An optional boolean parameter, false when absent; anything but `true` or `false` is a 400 (a mistyped
    /// `execute=ture` must not quietly be a dry run).
    static func flag(_ text: Substring?, _ name: String) throws -> Bool {
        switch text {
        case nil, "false": return false
        case "true": return true
        default: throw Problem.badRequest("invalid-parameter", "`\(name)` is true or false.")
        }
    }

    /// An optional date-time parameter; given but empty or not ISO 8601 is a 400.
    static func date(_ text: Substring?, _ name: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = Timestamp.parse(String(text)) else {
            throw Problem.badRequest("invalid-parameter", "`\(name)` must be an ISO 8601 date-time.")
        }
        return date
    }

    /// A dead letter's metadata; its value (the record's data, masked or not) only when shown one at a time.
    static func json(_ letter: DeadLetter, value: (text: String, access: DeadLetterAccess)? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("reference", .string(letter.reference.description)), ("stage", .string(letter.stage)),
            ("reasons", .array(letter.reasons.map { .string($0) })), ("message", .string(letter.message)),
            ("attempts", .integer(letter.attempts)),
        ]
        let optional: [(String, String?)] = [
            ("linkage", letter.linkage), ("receiver", letter.receiver), ("eventID", letter.envelope?.id),
            ("key", letter.envelope?.subject), ("originalTopic", letter.originalTopic),
            ("firstFailure", letter.firstFailure.map(Timestamp.format)),
            ("lastFailure", letter.lastFailure.map(Timestamp.format)),
        ]
        for (name, value) in optional { if let value { members.append((name, .string(value))) } }
        if let partition = letter.originalPartition { members.append(("originalPartition", .integer(Int(partition)))) }
        if let offset = letter.originalOffset { members.append(("originalOffset", .integer(Int(offset)))) }
        if let row = letter.row { members.append(("row", .integer(row))) }
        if let value {
            members.append(("value", .string(value.text)))
            members.append(("masked", .bool(value.access == .masked)))
        }
        return .object(members)
    }
}

/// The body of `PUT /operations/maintenance`; decoded strictly, so `{"enabled": 0}` is refused, not taken as false.
private struct MaintenanceSwitch: Decodable {
    let enabled: Bool
}
