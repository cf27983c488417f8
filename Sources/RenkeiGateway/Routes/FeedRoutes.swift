import Foundation
import Hummingbird
import RenkeiBus
import RenkeiContracts

/// The PULL method: `GET /linkages/{linkage}/feed?cursor=&limit=&wait=`. The caller is the receiver; it gets its
/// own projected records after the cursor and the next cursor. Stateless: the cursor holds the partition offsets,
/// so any instance serves any cursor. With `wait`, an empty read waits for the receiver's
/// topic follower to see new committed records (or for time to run out), then reads again.
struct FeedRoutes {
    let gateway: Gateway

    func register(on router: some RouterMethods<GatewayRequestContext>) {
        router.linkageGroup(gateway, scope: Scopes.read).get("/linkages/{linkage}/feed") { request, context in
            try await feed(request, context)
        }
    }

    private func feed(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let linkage = try context.pathLinkage
        let grant = try context.grant
        guard let receiver = grant.principal.systemID, linkage.receivers.contains(where: { $0.system == receiver })
        else { throw Problem.forbidden(scope: Scopes.read(linkage)) }
        let query = request.uri.queryParameters
        var cursor = FeedCursor.start
        if let token = query["cursor"].map(String.init), !token.isEmpty {
            guard let parsed = FeedCursor(token: token) else {
                throw Problem.badRequest("invalid-cursor", "The cursor is not one this feed handed out.")
            }
            cursor = parsed
        }
        let limit = try Self.integer(
            query["limit"], name: "limit", default: 100, range: 1...gateway.configuration.maxFeedLimit)
        let maxWait = Int(TokenService.seconds(gateway.configuration.maxFeedWait))
        let wait = try Self.integer(query["wait"], name: "wait", default: 0, range: 0...maxWait)
        let deadline = ContinuousClock.now + .seconds(wait)
        let reader = FeedReader(bus: gateway.bus)
        var page = try await Self.page(reader, linkage: linkage.id, receiver: receiver, after: cursor, limit: limit)
        while page.deliveries.isEmpty, ContinuousClock.now < deadline {
            try await reader.waitForRecords(linkage: linkage.id, receiver: receiver, after: page.next, until: deadline)
            page = try await Self.page(reader, linkage: linkage.id, receiver: receiver, after: page.next, limit: limit)
        }
        gateway.metrics.delivered(linkage: linkage.id, receiver: receiver, method: "pull", count: page.deliveries.count)
        gateway.metrics.deliveredBytes(
            linkage: linkage.id, receiver: receiver, method: "pull",
            bytes: page.deliveries.reduce(0) { $0 + $1.value.count })
        gateway.receiverLag.fetched(linkage: linkage.id, receiver: receiver, next: page.next)
        return Gateway.json(Self.body(page))
    }

    /// One page; a cursor below what the topic retains is `410 Gone`, naming the offsets lost per partition and
    /// the cursor to continue from once the receiver has resynchronised.
    private static func page(
        _ reader: FeedReader, linkage: String, receiver: String, after cursor: FeedCursor, limit: Int
    ) async throws -> FeedPage {
        do {
            return try await reader.read(linkage: linkage, receiver: receiver, after: cursor, limit: limit)
        } catch let expired as FeedCursorExpired {
            let lost: [JSONValue] = expired.gaps.map { gap in
                .object([
                    ("partition", .integer(Int(gap.partition))), ("from", .integer(Int(gap.from))),
                    ("retainedFrom", .integer(Int(gap.retainedFrom))), ("lost", .integer(Int(gap.lost))),
                ])
            }
            throw Problem(
                .gone, "cursor-expired", "Records expired before they were read",
                detail:
                    "The cursor points at records the bus no longer retains: \(expired.gaps.reduce(0) { $0 + $1.lost }) "
                    + "offsets were removed by retention before this receiver read them. Resynchronise (for example "
                    + "with a full transfer), then continue from `restart`.",
                extensions: [("lost", .array(lost)), ("restart", .string(expired.restart(from: cursor).token))])
        }
    }

    static func integer(
        _ text: Substring?, name: String, default value: Int, range: ClosedRange<Int>
    ) throws -> Int {
        // Given but empty is refused like any other non-number: the document describes an integer.
        guard let text else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw Problem.badRequest(
                "invalid-parameter", "`\(name)` must be an integer from \(range.lowerBound) to \(range.upperBound).")
        }
        return number
    }

    /// `{"records": [{"id", "key", "time", "type", "transfer", "index", "requestPurpose", "contractVersion",
    /// "data": {…}}], "next", "hasMore"}`; each record's data is the projected JSON exactly as the bus stored it.
    static func body(_ page: FeedPage) -> [UInt8] {
        var bytes = Array(#"{"records":["#.utf8)
        for (index, record) in page.deliveries.enumerated() {
            if index > 0 { bytes.append(0x2C) }
            var members: [(String, JSONValue)] = [
                ("id", .string(record.deduplicationID)), ("type", .string(record.envelope.type.rawValue)),
                ("time", .string(Timestamp.format(record.envelope.time))),
            ]
            if let key = record.key { members.append(("key", .string(key))) }
            if let transfer = record.transfer { members.append(("transfer", .string(transfer))) }
            if let position = record.transferIndex { members.append(("index", .integer(position))) }
            if let purpose = record.envelope.requestPurpose { members.append(("requestPurpose", .string(purpose))) }
            if let version = record.envelope.contractVersion { members.append(("contractVersion", .string(version))) }
            let head = JSONValue.object(members).serialized()
            bytes += head.utf8.dropLast()
            bytes += Array(#","data":"#.utf8)
            bytes += record.value
            bytes.append(0x7D)
        }
        let tail: JSONValue = .object([
            ("next", .string(page.next.token)), ("hasMore", .bool(page.hasMore || page.next.transfer != nil)),
        ])
        bytes += Array("],".utf8)
        bytes += tail.serialized().utf8.dropFirst()
        return bytes
    }
}
