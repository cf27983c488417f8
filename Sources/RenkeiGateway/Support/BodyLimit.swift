/// The most bytes the small routes read from a request body; past it they answer 413 `body-too-large`. The provide
/// routes' limits are configurable (``GatewayConfiguration/maxBodyBytes``, ``GatewayConfiguration/maxTransferBytes``);
/// routes that take no body read none (``RequestLimitsHandler`` closes the connection after answering one that was
/// sent, so it is never uploaded whole). docs/gateway.md lists every limit.
enum BodyLimit {
    /// `POST /oauth/token` and `POST /oauth/introspect`: a form of a few parameters and an assertion.
    static let oauthForm = 64 * 1024
    /// `POST /linkages/{id}/query`: a key or a few conditions.
    static let question = 64 * 1024
    /// `PUT /operations/maintenance`: `{"enabled": true}`.
    static let maintenance = 4 * 1024
}
