import AsyncHTTPClient
import NIOCore
import RenkeiBus

/// The delivery service's HTTP POST (webhooks, query endpoints), made with the shared AsyncHTTPClient.
struct HTTPWebhookTransport: WebhookTransport {
    let client: HTTPClient

    func post(
        url: String, headers: [(String, String)], body: [UInt8], timeout: Duration, responseLimit: Int
    ) async -> PostOutcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(nanoseconds))
            let answer = try? await response.body.collect(upTo: responseLimit)
            return .answered(status: Int(response.status.code), body: answer.map { Array(buffer: $0) })
        } catch {
            return .unreachable("\(error)")
        }
    }
}
