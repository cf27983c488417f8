/// What a ``DeliveryService`` runs and how.
public struct DeliveryConfiguration: Sendable {
    /// Timeout of one webhook or query-endpoint call.
    public var requestTimeout: Duration = .seconds(10)
    /// The secrets webhook and query-endpoint calls are signed with (Standard Webhooks), by system id. `renkei serve`
    /// refuses to start unless every system it calls has one.
    public var signers = WebhookSigners()

    public init() {}
}
