/// One long-running delivery worker of the ``DeliveryService``: pushes one receiver's records, answers one query
/// linkage through its provider's endpoint, writes one receiver's files, …
public protocol DeliveryWorker: Sendable {
    /// Which linkage, system and method this worker serves.
    var id: DeliveryWorkerID { get }

    /// Works until its task is cancelled, then leaves its consumer group and returns. Throws only when it cannot go
    /// on; the delivery service (and with it the process's service group) then stops.
    func run() async throws

    /// Records of the worker's topic not yet delivered, or `nil` when the worker has no such measure (or the
    /// cluster cannot say now).
    func lag() async -> Int?
}

extension DeliveryWorker {
    public func lag() async -> Int? { nil }
}

/// A delivery worker's identity: linkage, system and method.
public struct DeliveryWorkerID: Sendable, Hashable, CustomStringConvertible {
    /// What a worker does.
    public enum Method: String, Sendable, Hashable {
        /// POSTs a receiver's records to its webhook.
        case push
        /// Answers a query linkage's requests through its provider's query endpoint.
        case queryEndpoint = "query-endpoint"
        /// CSV files and manifests into a receiver's storage (``FileDelivery``).
        case file
        /// A provider's inbox read for CSV files to ingest (``InboxIngest``); `linkage` is `*`.
        case inbox
    }

    public var linkage: String
    /// The receiver delivered to, or for ``Method/queryEndpoint`` the provider whose endpoint answers.
    public var system: String
    public var method: Method

    public init(linkage: String, system: String, method: Method) {
        self.linkage = linkage
        self.system = system
        self.method = method
    }

    public var description: String { "\(method.rawValue) \(linkage) → \(system)" }
}

/// How far a worker is behind its topic, by its own measure (file workers: records after the newest manifest), for
/// ``ReceiverLagMonitor``.
public struct DeliveryLag: Sendable, Hashable {
    public var worker: DeliveryWorkerID
    /// Records not yet delivered.
    public var records: Int
}
