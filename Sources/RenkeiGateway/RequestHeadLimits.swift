/// Limits on the head of a request (its request line and header fields), enforced by the HTTP/1 parser as it reads;
/// a request beyond any of them is answered 431 `request-head-too-large` and its connection closed.
public struct RequestHeadLimits: Sendable, Hashable {
    /// Largest request target (the URL), header name and header value, each on its own.
    public var maxFieldBytes: Int = 8 * 1024
    /// Largest request target, header names and header values all together (separators not counted).
    public var maxTotalBytes: Int = 32 * 1024
    /// Most header fields in one request.
    public var maxFields: Int = 100

    public init() {}
}
