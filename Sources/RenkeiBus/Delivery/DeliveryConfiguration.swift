/// What a ``DeliveryService`` runs and how.
public struct DeliveryConfiguration: Sendable {
    /// Timeout of one webhook or query-endpoint call.
    public var requestTimeout: Duration = .seconds(10)

    public init() {}
}
