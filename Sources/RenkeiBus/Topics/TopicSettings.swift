/// The settings of every topic class: partitions, durability and retention. ``TopicPlan`` turns them into the
/// configuration of each topic; `renkei serve` and the `--brokers` commands take them from flags and `RENKEI_*`
/// environment variables (docs/operations.md).
public struct TopicSettings: Sendable, Hashable {
    /// Replicas of every partition (`replication.factor`). 3 on a real cluster, so a write survives one broker loss.
    public var replicationFactor: Int
    /// Replicas that must have a write before `acks=all` succeeds (`min.insync.replicas`). 2 on a real cluster.
    public var minInsyncReplicas: Int
    /// Partitions of receiver and query topics. Records of one key always go to one partition.
    public var partitions: Int = 4
    /// Partitions of bulk-chunk topics; more spread a large transfer over more of the cluster.
    public var bulkPartitions: Int = 16
    /// The history: at least ``TopicRetention/legalMinimum``. Default forever.
    public var historyRetention: TopicRetention = .forever
    /// Dead letters: at least ``TopicRetention/legalMinimum``. Default forever.
    public var deadLetterRetention: TopicRetention = .forever
    /// What receivers pull or are pushed (records and bulk manifests): how long a receiver may be away and still
    /// catch up. Default 30 days.
    public var receiverRetention: TopicRetention = .days(30)
    /// Bulk chunks, reached through the manifests on receiver topics: never shorter than ``receiverRetention``.
    /// `nil` (the default) means the same as ``receiverRetention``.
    public var bulkRetention: TopicRetention? = nil
    /// Query requests (照会), which carry a deadline of seconds. Default 1 day.
    public var queryRetention: TopicRetention = .days(1)
    /// Replies to queries, read as they arrive. Default 1 day.
    public var replyRetention: TopicRetention = .days(1)

    /// Settings with the given durability and every other field at its default.
    public init(replicationFactor: Int, minInsyncReplicas: Int) {
        self.replicationFactor = replicationFactor
        self.minInsyncReplicas = minInsyncReplicas
    }

    /// A real cluster: replication 3, min ISR 2.
    public static let cluster = TopicSettings(replicationFactor: 3, minInsyncReplicas: 2)
    /// The embedded single-broker cluster: replication 1, min ISR 1 (it ignores topic configs anyway).
    public static let embedded = TopicSettings(replicationFactor: 1, minInsyncReplicas: 1)

    /// The retention of bulk-chunk topics.
    public var effectiveBulkRetention: TopicRetention { bulkRetention ?? receiverRetention }

    /// Checks the rules a plan must keep; the error names the setting and says why.
    public func validate() throws(TopicPlanError) {
        func refuse(_ reason: String) -> TopicPlanError { TopicPlanError(settings: reason) }
        guard replicationFactor >= 1 else { throw refuse("replication factor \(replicationFactor) must be at least 1") }
        guard (1...replicationFactor).contains(minInsyncReplicas) else {
            throw refuse(
                "min.insync.replicas \(minInsyncReplicas) must be between 1 and the replication factor "
                    + "\(replicationFactor)")
        }
        guard partitions >= 1, bulkPartitions >= 1 else { throw refuse("partitions must be at least 1") }
        for (name, retention) in [("history", historyRetention), ("dead-letter", deadLetterRetention)]
        where retention < .legalMinimum {
            throw refuse(
                "\(name) retention \(retention) is below the legal minimum of 7 years "
                    + "(\(TopicRetention.legalMinimum.milliseconds) ms); use forever or at least 7y")
        }
        guard effectiveBulkRetention >= receiverRetention else {
            throw refuse(
                "bulk retention \(effectiveBulkRetention) is shorter than receiver retention \(receiverRetention): "
                    + "a manifest on a receiver topic would outlive the chunks it points to")
        }
    }
}
