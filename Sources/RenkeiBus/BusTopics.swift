/// Every Kafka topic name the bus uses, in one place. Names come from contract ids, which the contract loader
/// restricts to characters Kafka accepts in topic names.
public enum BusTopics {
    /// What `receiver` gets from `linkage`: records of single and batch provides, and bulk transfer manifests.
    public static func outbound(linkage: String, receiver: String) -> String { "renkei.out.\(linkage).\(receiver)" }

    /// The records of bulk transfers to `receiver`, reached only through the manifests on its outbound topic.
    public static func bulk(linkage: String, receiver: String) -> String { "renkei.bulk.\(linkage).\(receiver)" }

    /// The current record of every key a full-file receiver has been given (compacted): its full files are built
    /// from it.
    public static func fileState(linkage: String, receiver: String) -> String { "renkei.state.\(linkage).\(receiver)" }

    /// Dead letters of delivery to `receiver` (webhook gave up, receiver rejected).
    public static func deadLetters(linkage: String, receiver: String) -> String { "renkei.dlq.\(linkage).\(receiver)" }

    /// Dead letters of ingest: rows quarantined before any receiver saw them.
    public static func ingestDeadLetters(linkage: String) -> String { "renkei.dlq.\(linkage)" }

    /// Query requests (照会) of `linkage`, answered by its provider.
    public static func queries(linkage: String) -> String { "renkei.query.\(linkage)" }

    /// Replies to the bus instance `instance`; each instance has its own.
    public static func replies(instance: String) -> String { "renkei.reply.\(instance)" }

    /// The history: one metadata-only entry per linkage event, hash-chained.
    public static let history = "renkei.history"

    /// The record keys of bulk transfers and large provides, in chunks that history entries reference
    /// (``HistoryKeyList``); kept as long as the history.
    public static let historyKeys = "renkei.history.keys"

    /// Claims that must be won once in the whole cluster: client-assertion ids (`jti`), so an assertion gets one
    /// token at any instance, and file windows, so one instance writes a receiver's next file. The first claim of a
    /// key wins. Kept a day, far longer than any claim lasts.
    public static let sharedClaims = "renkei.shared.claims"

    /// The status of bulk transfers (streaming, committed, failed) by transfer id, so that every gateway instance
    /// answers `GET /transfers/{id}` the same; compacted, kept a week.
    public static let sharedTransfers = "renkei.shared.transfers"

    /// Settings every instance follows, such as maintenance mode; compacted, kept for ever.
    public static let sharedSettings = "renkei.shared.settings"

    /// The topic whose partitions are the leases of work that must run once per cluster (file deliveries, inboxes):
    /// the members of the group ``ConsumerGroups/leases`` share them out. Nothing is ever written to it.
    public static let leases = "renkei.leases"

    /// The prefix every dead-letter topic starts with.
    public static let deadLetterPrefix = "renkei.dlq."
}
