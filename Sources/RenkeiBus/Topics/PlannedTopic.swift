public import RenkeiKafka

/// One topic of the plan with every setting it must have on the cluster.
public struct PlannedTopic: Sendable, Hashable {
    /// The topic name (``BusTopics``).
    public var name: String
    /// Its class, which decides its retention.
    public var topicClass: TopicClass
    /// Partitions.
    public var partitions: Int
    /// `replication.factor`.
    public var replicationFactor: Int
    /// How long it keeps records.
    public var retention: TopicRetention
    /// `min.insync.replicas`.
    public var minInsyncReplicas: Int

    /// The topic configs the plan sets: `cleanup.policy`, `retention.ms`, `min.insync.replicas`, and `segment.ms`
    /// where the class needs short segments (``TopicClass/segment``).
    public var configs: [String: String] {
        var configs = [
            TopicConfigKey.cleanupPolicy: topicClass.cleanupPolicy, TopicConfigKey.retention: retention.configValue,
            TopicConfigKey.minInsyncReplicas: String(minInsyncReplicas),
        ]
        if let segment = topicClass.segment { configs[TopicConfigKey.segment] = segment.configValue }
        return configs
    }

    /// What CreateTopics needs.
    public var specification: KafkaTopicSpecification {
        KafkaTopicSpecification(
            name: name, partitions: partitions, replicationFactor: replicationFactor, configs: configs)
    }
}

/// The Kafka topic config names the plan sets or checks.
public enum TopicConfigKey {
    /// `cleanup.policy`: `delete`, except for the file state (``TopicClass/cleanupPolicy``).
    public static let cleanupPolicy = "cleanup.policy"
    /// `retention.ms`.
    public static let retention = "retention.ms"
    /// `min.insync.replicas`.
    public static let minInsyncReplicas = "min.insync.replicas"
    /// `segment.ms`: how long a segment stays open; retention and compaction only touch closed segments.
    public static let segment = "segment.ms"
    /// Not a config but a topic property, named like one in findings.
    public static let replicationFactor = "replication.factor"
    /// Not a config but a topic property, named like one in findings.
    public static let partitions = "partitions"
}
