/// The HTTP POST that push workers and query-endpoint workers make, supplied by the process that runs them (the
/// gateway, with its HTTP client), so that the bus does not depend on an HTTP client.
public protocol WebhookTransport: Sendable {
    /// POSTs `body` with `headers` to `url`, waiting at most `timeout`; reads at most `responseLimit` bytes of the
    /// answer. Never throws: a failure to connect or a timeout before the status is ``PostOutcome/unreachable(_:)``.
    func post(
        url: String, headers: [(String, String)], body: [UInt8], timeout: Duration, responseLimit: Int
    ) async -> PostOutcome
}

/// What came of one POST.
public enum PostOutcome: Sendable, Hashable {
    /// The server answered with `status` and `body`; `body` is `nil` when it was longer than the response limit or
    /// could not be read.
    case answered(status: Int, body: [UInt8]?)
    /// No answer: the server could not be reached, timed out, or the answer could not be read. The text says which
    /// for operators; it names no record values.
    case unreachable(String)
}
