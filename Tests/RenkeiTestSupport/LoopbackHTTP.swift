import AsyncHTTPClient
import Foundation
import NIOCore

/// HTTP calls to a gateway on loopback, for tests that run it as another process (`renkei serve`) or stream a
/// body in parts that the test releases one by one.
package enum LoopbackHTTP {
    /// A gateway's answer.
    package struct Reply: Sendable {
        package var status: Int
        package var body: [UInt8]
        package var text: String { String(decoding: body, as: UTF8.self) }
        package var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        }
    }

    /// `method url` with `headers` and `body`; throws when no answer came (connection refused or lost, timeout).
    package static func call(
        _ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        timeout: Duration = .seconds(30)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        return try await execute(request, timeout: timeout)
    }

    /// POSTs the parts `parts` yields as one body of `length` bytes, each sent as soon as it is yielded; throws
    /// when no answer came.
    package static func stream(
        _ url: String, headers: [(String, String)], parts: AsyncStream<[UInt8]>, length: Int,
        timeout: Duration = .seconds(60)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let (buffers, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        let relay = Task {
            for await part in parts { continuation.yield(ByteBuffer(bytes: part)) }
            continuation.finish()
        }
        defer { relay.cancel() }
        request.body = .stream(buffers, length: .known(Int64(length)))
        return try await execute(request, timeout: timeout)
    }

    /// An access token by client_secret_basic.
    package static func token(base: String, client: String, secret: String) async throws -> String {
        let credentials = Data("\(client):\(secret)".utf8).base64EncodedString()
        let reply = try await call(
            "POST", base + "/oauth/token",
            headers: [
                ("Authorization", "Basic \(credentials)"), ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body: Array("grant_type=client_credentials".utf8))
        guard reply.status == 200, let token = reply.json["access_token"] as? String else {
            throw UnexpectedReply(status: reply.status, body: reply.text)
        }
        return token
    }

    /// Every record of `linkage`'s feed for the token's system, page by page.
    package static func readFeed(base: String, linkage: String, token: String) async throws -> [[String: Any]] {
        var cursor = ""
        var records: [[String: Any]] = []
        while true {
            let reply = try await call(
                "GET", base + "/linkages/\(linkage)/feed?limit=1000&cursor=\(cursor)",
                headers: [("Authorization", "Bearer \(token)")])
            guard reply.status == 200 else { throw UnexpectedReply(status: reply.status, body: reply.text) }
            records += reply.json["records"] as? [[String: Any]] ?? []
            cursor = reply.json["next"] as? String ?? cursor
            if reply.json["hasMore"] as? Bool != true { return records }
        }
    }

    /// A status the test did not expect, with the body for the failure message.
    package struct UnexpectedReply: Error, CustomStringConvertible {
        package var status: Int
        package var body: String
        package var description: String { "HTTP \(status): \(body)" }
    }

    private static func execute(_ request: HTTPClientRequest, timeout: Duration) async throws -> Reply {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout.components.seconds))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Reply(status: Int(response.status.code), body: Array(buffer: bytes))
    }
}
