/// How the gateway serves.
public struct GatewayConfiguration: Sendable {
    /// Address to bind.
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 picks a free one (tests).
    public var port: Int = 8080
    /// The gateway's URL as clients reach it (`https://renkei.example.lg.jp`); the token endpoint
    /// `<publicURL>/oauth/token` is the audience client assertions must name. Defaults to `http://host:port`.
    public var publicURL: String?
    /// Lifetime of access tokens: short, as the national spec asks; there are no refresh tokens.
    public var tokenLifetime: Duration = .seconds(300)
    /// Key that signs access tokens (HMAC-SHA256). Give every instance of a deployment the same key so that any
    /// instance accepts any instance's tokens; a random key is made when none is given. At least 32 bytes
    /// (RFC 7518 §3.2: an HS256 key as long as the hash).
    public var tokenSigningKey: [UInt8]?
    /// How many checked access tokens are remembered, each until its `exp`, so that a client's next request with
    /// the same token skips the signature check (``VerifiedTokenCache``); 0 checks every token every time.
    public var verifiedTokenCapacity: Int = 4096
    /// How far clocks may differ when checking `exp` of client assertions.
    public var clockSkew: Duration = .seconds(30)
    /// Largest body of a single or batch provide (`POST /linkages/{id}/records`); beyond it the answer is 413
    /// `body-too-large`. The other routes' smaller limits are in ``BodyLimit``.
    public var maxBodyBytes: Int = 8 * 1024 * 1024
    /// Largest body of a bulk transfer (`POST /linkages/{id}/transfers`). A transfer streams with bounded memory, so
    /// this bounds how long one upload may hold the gateway and the broker, not memory: 413 `body-too-large` as soon
    /// as `Content-Length` or the bytes received pass it, and nothing of the transfer is delivered.
    public var maxTransferBytes: Int = 16 * 1024 * 1024 * 1024
    /// How large a request head may be before the answer is 431 `request-head-too-large`.
    public var requestHead = RequestHeadLimits()
    /// Most records one feed page returns.
    public var maxFeedLimit: Int = 1000
    /// Longest long-poll (`wait`) of a feed read.
    public var maxFeedWait: Duration = .seconds(30)
    /// How long a query (照会) waits for the provider's answer.
    public var queryTimeout: Duration = .seconds(5)
    /// Whether this instance runs the bus's delivery service: push workers and query-endpoint workers (one or more
    /// instances may).
    public var runsDispatchers: Bool = true
    /// Timeout of one webhook or query-endpoint call.
    public var outboundRequestTimeout: Duration = .seconds(10)
    /// Validate Bearer tokens through this RFC 7662 introspection URL of an external authorization server
    /// instead of the built-in one.
    public var externalIntrospectionURL: String?
    /// Client id and secret the gateway authenticates with at the external introspection URL.
    public var externalIntrospectionClient: (id: String, secret: String)?
    /// Switch the cluster to maintenance mode at start (readiness 503, data routes refused, at every instance) until
    /// an operator ends it.
    public var maintenance: Bool = false
    /// TLS on the gateway's port; `nil` serves plain HTTP (behind a TLS-terminating proxy, or for trying out).
    public var tls: GatewayTLS?
    /// A connection is closed when it has been idle this long: a client that stops sending in the middle of a
    /// request, or a kept-alive connection nobody uses. A request being answered (a long poll) is never cut.
    public var idleTimeout: Duration = .seconds(60)

    public init() {}

    /// The token endpoint URL for a server bound to `port`.
    func tokenEndpoint(boundPort: Int) -> String {
        let base = publicURL ?? "\(tls == nil ? "http" : "https")://\(host):\(boundPort)"
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/oauth/token"
    }
}

extension GatewayConfiguration {
    /// Refuses a token signing key shorter than an HS256 key must be.
    func checkTokenSigningKey() throws(ClientSecretsError) {
        guard let key = tokenSigningKey, key.count < TokenService.minimumKeyBytes else { return }
        throw ClientSecretsError(
            "The token signing key (RENKEI_TOKEN_KEY) is \(key.count) bytes; an HS256 key needs at least "
                + "\(TokenService.minimumKeyBytes) (RFC 7518 §3.2).")
    }
}
