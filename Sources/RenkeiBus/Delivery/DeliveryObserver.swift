/// Told what the delivery service does, for metrics; the gateway's metrics implement it. Called on the workers'
/// tasks: implementations must be quick and must not block.
public protocol DeliveryObserver: Sendable {
    /// `count` records of `linkage` were handed to `receiver` by `method` (`push`, `file`).
    func delivered(linkage: String, receiver: String, method: String, count: Int)
    /// One webhook POST to `receiver` ended with `outcome` (`delivered`, `rejected`, `failed`) after `duration`.
    func pushAttempt(linkage: String, receiver: String, outcome: String, duration: Duration)
    /// `receiver`'s webhook took one record of `bytes` bytes; `sinceProvided` runs from the record's provide time
    /// (its envelope's `ce_time`, else its Kafka timestamp) to the 2xx answer, retries included.
    func pushed(linkage: String, receiver: String, bytes: Int, sinceProvided: Duration?)
    /// Retention removed `count` records of `receiver`'s topic before they were delivered.
    func expired(linkage: String, receiver: String, count: Int)
}

extension DeliveryObserver {
    public func pushed(linkage: String, receiver: String, bytes: Int, sinceProvided: Duration?) {}
}
