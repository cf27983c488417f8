/// Every Kafka consumer group id the bus uses, in one place (as ``BusTopics`` holds the topic names): the workers
/// join them, and the AsyncAPI documents name them in their Kafka operation bindings.
public enum ConsumerGroups {
    /// A Swift receiver of `linkage` (delivery `kafka`), unless it names a group of its own.
    public static func receiver(linkage: String, receiver: String) -> String {
        "renkei.receiver.\(linkage).\(receiver)"
    }

    /// The bus's push worker for `receiver` of `linkage`; instances share the work.
    public static func push(linkage: String, receiver: String) -> String { "renkei-push.\(linkage).\(receiver)" }

    /// The provider's answerers of query linkage `linkage` (its query endpoint worker, or a Swift responder).
    public static func queries(linkage: String) -> String { "renkei-query.\(linkage)" }

    /// Every gateway instance of the cluster, sharing out the partitions of ``BusTopics/leases``: who holds a
    /// partition runs the file deliveries and inboxes that map to it.
    public static let leases = "renkei-leases"
}
