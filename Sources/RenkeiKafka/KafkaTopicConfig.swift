/// One configuration entry of a topic as the cluster reports it (DescribeConfigs).
public struct KafkaConfigEntry: Sendable, Hashable {
    /// The config name, such as `retention.ms`.
    public var name: String
    /// Its value; `nil` when the broker withholds it (sensitive entries) or has none.
    public var value: String?
    /// Whether the value is the broker's default rather than set on the topic.
    public var isDefault: Bool

    /// A config entry.
    public init(name: String, value: String?, isDefault: Bool) {
        self.name = name
        self.value = value
        self.isDefault = isDefault
    }
}

/// What kind of cluster a client talks to, which decides whether topics can be created and configs checked.
public enum KafkaClusterKind: Sendable, Hashable {
    /// An ``EmbeddedKafka`` of this process: topics are created through the mock API; configs are ignored.
    case embeddedInProcess
    /// librdkafka's mock cluster hosted by another process (say a `renkei serve` without `--brokers`): it answers
    /// neither CreateTopics nor DescribeConfigs, auto-creates unknown topics with 4 partitions, ignores configs.
    case embeddedElsewhere(clusterID: String)
    /// A real Kafka cluster.
    case broker(clusterID: String)

    /// Whether this is librdkafka's mock cluster, in this process or another.
    public var isEmbedded: Bool {
        if case .broker = self { return false }
        return true
    }
}
