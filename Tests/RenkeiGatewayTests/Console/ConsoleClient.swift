import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A browser's part of the console's protocol for route tests: a cookie jar, forms with the page's CSRF token, and
/// redirects seen rather than followed.
final class ConsoleClient: Sendable {
    struct Page: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var text: String

        var location: String? { headers.first(name: "location") }
        /// The first hidden `csrf` field of the page.
        var csrf: String? { Self.capture(#"name="csrf" value="([^"]+)""#, in: text) }
        /// The alert the page shows, if any.
        var alert: String? { Self.capture(#"role="alert" class="error">([^<]*)<"#, in: text) }

        static func capture(_ pattern: String, in text: String) -> String? {
            guard let expression = try? NSRegularExpression(pattern: pattern),
                let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                let range = Range(match.range(at: 1), in: text)
            else { return nil }
            return String(text[range])
        }
    }

    let base: String
    private let client = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
    private let cookies = Mutex<[String: String]>([:])
    /// Every `Set-Cookie` header received, as sent.
    let setCookies = Mutex<[String]>([])

    init(base: String) { self.base = base }

    func shutdown() async { try? await client.shutdown() }

    func get(_ path: String) async throws -> Page { try await send(.GET, path, body: nil, headers: []) }

    /// Posts `fields` form-encoded (values percent-encoded), as a browser submits a form.
    func post(_ path: String, _ fields: [(String, String)], headers: [(String, String)] = []) async throws -> Page {
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.POST, path, body: Array(body.utf8), headers: headers)
    }

    /// Signs in through the form; returns the page the sign-in answered with.
    func signIn(_ client: String, secret: String, personal: Bool = false) async throws -> Page {
        let form = try await get("/console/sign-in")
        var fields = [("csrf", form.csrf ?? ""), ("client_id", client), ("client_secret", secret)]
        if personal { fields.append(("personal", "true")) }
        return try await post("/console/sign-in", fields)
    }

    private func send(
        _ method: HTTPMethod, _ path: String, body: [UInt8]?, headers: [(String, String)]
    ) async throws -> Page {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let jar = cookies.withLock { $0 }
        if !jar.isEmpty {
            request.headers.add(name: "Cookie", value: jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        for header in response.headers["set-cookie"] {
            setCookies.withLock { $0.append(header) }
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            cookies.withLock { $0[name] = value.isEmpty ? nil : value }
        }
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Page(status: Int(response.status.code), headers: response.headers, text: String(buffer: bytes))
    }

    static func encode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
