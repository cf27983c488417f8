import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RenkeiTestSupport
import Testing

@testable import RenkeiGateway

/// Body limits per route (413), request-head limits (431) and malformed requests (400), each answered with a problem
/// body, and connections closed when a body is refused before it was read.
@Suite(.serialized) struct RequestLimitTests {
    static func port(_ harness: GatewayHarness) throws -> Int {
        try #require(harness.base.split(separator: ":").last.flatMap { Int($0) })
    }

    @Test func everyRouteThatReadsABodyRefusesOneLargerThanItsLimitWith413() async throws {
        try await GatewayHarness.with(configure: { $0.maxBodyBytes = 1024 }) { harness in
            let provider = try await harness.token("sys-001")
            let asker = try await harness.token("sys-017")
            let operator_ = try await harness.token("ops")
            let form = "application/x-www-form-urlencoded"
            let cases: [(path: String, method: HTTPMethod, token: String?, type: String, limit: Int)] = [
                ("/linkages/resident-change/records", .POST, provider, "application/json", 1024),
                ("/oauth/token", .POST, nil, form, BodyLimit.oauthForm),
                ("/oauth/introspect", .POST, nil, form, BodyLimit.oauthForm),
                ("/linkages/resident-query/query", .POST, asker, "application/json", BodyLimit.question),
                ("/operations/maintenance", .PUT, operator_, "application/json", BodyLimit.maintenance),
            ]
            for route in cases {
                let reply = try await harness.call(
                    route.method, route.path, token: route.token, contentType: route.type,
                    body: [UInt8](repeating: UInt8(ascii: " "), count: route.limit + 1))
                #expect(reply.status == 413, "\(route.path)")
                #expect(reply.headers.first(name: "Content-Type") == "application/problem+json", "\(route.path)")
                #expect(reply.json["code"] as? String == "body-too-large", "\(route.path)")
                #expect(reply.json["limit"] as? Int == route.limit, "\(route.path)")
            }
            // At the limit the body is read: the answer is about its content, not its size.
            let atLimit = try await harness.call(
                .PUT, "/operations/maintenance", token: operator_, contentType: "application/json",
                body: [UInt8](repeating: UInt8(ascii: " "), count: BodyLimit.maintenance))
            #expect(atLimit.status == 400)
            #expect(atLimit.json["code"] as? String == "malformed-json")
        }
    }

    @Test func aChunkedBodyIsCutOffWhenItPassesTheLimit() async throws {
        try await GatewayHarness.with(configure: { $0.maxBodyBytes = 1024 }) { harness in
            let provider = try await harness.token("sys-001")
            let reply = try await Self.chunked(
                harness, "/linkages/resident-change/records", token: provider, type: "application/json",
                chunks: 8, of: 512)
            #expect(reply.status == 413)
            #expect(reply.json["code"] as? String == "body-too-large")
        }
    }

    @Test func aTransferPastItsLimitIs413AndDeliversNothing() async throws {
        try await GatewayHarness.with(configure: { $0.maxTransferBytes = 16 * 1024 }) { harness in
            let provider = try await harness.token("sys-001")
            let receiver = try await harness.token("sys-018")
            let csv = Residents.csv(harness.bus.contracts, count: 200)
            #expect(csv.count > 16 * 1024)
            let reply = try await Self.chunked(
                harness, "/linkages/resident-change/transfers", token: provider, type: "text/csv",
                body: csv, chunk: 4096)
            #expect(reply.status == 413)
            #expect(reply.json["code"] as? String == "body-too-large")
            #expect(reply.json["limit"] as? Int == 16 * 1024)
            let transfer = try #require(reply.json["transfer"] as? String)
            let state = try await harness.call(.GET, "/transfers/\(transfer)", token: provider)
            #expect(state.json["status"] as? String == "failed")
            #expect(state.json["problem"] as? String == "body-too-large")
            #expect(try await harness.readFeed("resident-change", token: receiver).records.isEmpty)

            // Content-Length above the limit is refused before anything starts.
            let declared = try await harness.call(
                .POST, "/linkages/resident-change/transfers", token: provider, contentType: "text/csv", body: csv)
            #expect(declared.status == 413)
            #expect(declared.json["transfer"] == nil)
        }
    }

    @Test func aRequestHeadPastAnyLimitIs431WithAProblemAndTheConnectionCloses() async throws {
        try await GatewayHarness.with { harness in
            let limits = harness.configuration.requestHead
            let field = String(repeating: "a", count: limits.maxFieldBytes + 1)
            let heads = [
                "long URL": "GET /health/live?x=\(field) HTTP/1.1\r\nHost: gateway\r\n\r\n",
                "long field": "GET /health/live HTTP/1.1\r\nHost: gateway\r\nX-Long: \(field)\r\n\r\n",
                "many fields": "GET /health/live HTTP/1.1\r\nHost: gateway\r\n"
                    + (0..<limits.maxFields).map { "X-\($0): 1\r\n" }.joined() + "\r\n",
                "large in all": "GET /health/live HTTP/1.1\r\nHost: gateway\r\n"
                    + (0...(limits.maxTotalBytes / 4000)).map { "X-\($0): \(field.prefix(4000))\r\n" }.joined()
                    + "\r\n",
            ]
            for (name, head) in heads {
                let connection = try RawHTTPConnection(port: try Self.port(harness))
                connection.send(head)
                let (bytes, closed) = connection.receiveUntilClosed()
                let responses = RawHTTPConnection.responses(bytes)
                #expect(responses.map(\.status) == [431], "\(name)")
                #expect(responses.first?.headers["content-type"] == "application/problem+json", "\(name)")
                #expect(responses.first?.headers["connection"] == "close", "\(name)")
                #expect(responses.first?.body.contains(#""code":"request-head-too-large""#) == true, "\(name)")
                #expect(closed, "\(name): the connection stayed open")
            }
            // Just within the limits is served.
            let within = try RawHTTPConnection(port: try Self.port(harness))
            within.send("GET /health/live HTTP/1.1\r\nHost: gateway\r\nX-Long: \(field.dropLast())\r\n\r\n")
            #expect(RawHTTPConnection.responses(within.receiveUntilClosed(within: 2).bytes).map(\.status) == [200])
        }
    }

    @Test func aMalformedRequestGets400WithAProblem() async throws {
        try await GatewayHarness.with { harness in
            let connection = try RawHTTPConnection(port: try Self.port(harness))
            connection.send("GET /health/live HTTP/1.1\r\nHost: gateway\r\nNo colon here\r\n\r\n")
            let (bytes, closed) = connection.receiveUntilClosed()
            let responses = RawHTTPConnection.responses(bytes)
            #expect(responses.map(\.status) == [400])
            #expect(responses.first?.body.contains(#""code":"malformed-request""#) == true)
            #expect(closed)
        }
    }

    @Test func anAnswerGivenBeforeTheBodyArrivedClosesTheConnection() async throws {
        try await GatewayHarness.with(configure: { $0.maxBodyBytes = 1024 }) { harness in
            let provider = try await harness.token("sys-001")
            let connection = try RawHTTPConnection(port: try Self.port(harness))
            // A 100 MB body is announced and never sent: the answer comes at once, and the connection ends with it.
            connection.send(
                "POST /linkages/resident-change/records HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer \(provider)"
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n[")
            let started = ContinuousClock.now
            let (bytes, closed) = connection.receiveUntilClosed()
            let responses = RawHTTPConnection.responses(bytes)
            #expect(responses.map(\.status) == [413])
            #expect(responses.first?.headers["connection"] == "close")
            #expect(closed)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test func requestsReadToTheirEndKeepTheConnectionAndALaterBadHeadIsAnsweredInTurn() async throws {
        try await GatewayHarness.with { harness in
            let connection = try RawHTTPConnection(port: try Self.port(harness))
            let good = "GET /health/live HTTP/1.1\r\nHost: gateway\r\n\r\n"
            let tooLong =
                "GET /health/live HTTP/1.1\r\nHost: gateway\r\nX-Long: "
                + String(repeating: "b", count: harness.configuration.requestHead.maxFieldBytes + 1) + "\r\n\r\n"
            connection.send(good + good + tooLong)
            let (bytes, closed) = connection.receiveUntilClosed()
            let responses = RawHTTPConnection.responses(bytes)
            #expect(responses.map(\.status) == [200, 200, 431])
            #expect(responses.first?.headers["connection"] != "close")
            #expect(closed)
        }
    }

    // MARK: Helpers

    static func chunked(
        _ harness: GatewayHarness, _ path: String, token: String, type: String, chunks: Int, of size: Int
    ) async throws -> GatewayHarness.Reply {
        try await chunked(
            harness, path, token: token, type: type,
            body: [UInt8](repeating: UInt8(ascii: " "), count: chunks * size), chunk: size)
    }

    /// POSTs `body` in chunks of `chunk` bytes with no `Content-Length` (chunked transfer coding).
    static func chunked(
        _ harness: GatewayHarness, _ path: String, token: String, type: String, body: [UInt8], chunk: Int
    ) async throws -> GatewayHarness.Reply {
        var request = HTTPClientRequest(url: harness.base + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: type)
        let (parts, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        for start in stride(from: 0, to: body.count, by: chunk) {
            continuation.yield(ByteBuffer(bytes: body[start..<min(start + chunk, body.count)]))
        }
        continuation.finish()
        request.body = .stream(parts, length: .unknown)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1024 * 1024)
        return GatewayHarness.Reply(
            status: Int(response.status.code), headers: response.headers, body: Array(buffer: bytes))
    }
}
