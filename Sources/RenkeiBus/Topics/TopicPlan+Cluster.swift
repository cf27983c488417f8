public import RenkeiKafka

/// What `apply` did: the topics it created and those that were already there.
public struct TopicApplyReport: Sendable {
    /// Topics created, with the plan's settings.
    public var created: [PlannedTopic] = []
    /// Topics that already existed (left as they are; `renkei topics check` compares them).
    public var existing: [String] = []
    /// Set when the cluster is librdkafka's mock, which ignores topic configs.
    public var embedded: KafkaClusterKind?
}

extension TopicPlan {
    /// What to tell an operator, once, about topics on the embedded cluster.
    public static func embeddedNote(_ kind: KafkaClusterKind) -> String {
        switch kind {
        case .embeddedInProcess:
            "embedded Kafka: topic configs (retention, replication, min.insync.replicas) are ignored there and "
                + "cannot be checked; topics are created without them"
        case .embeddedElsewhere(let id):
            "embedded Kafka of another process (\(id)): it answers neither CreateTopics nor DescribeConfigs, so "
                + "topics are not created (it creates unknown topics itself, 4 partitions, no configs) and topic "
                + "configs cannot be checked"
        case .broker:
            ""
        }
    }

    /// Creates the planned topics the cluster lacks, with every planned setting; existing topics are reported,
    /// not changed. On the embedded cluster of another process nothing can be created (``embeddedNote(_:)``).
    public func apply(admin: KafkaAdmin, kind: KafkaClusterKind) async throws(KafkaError) -> TopicApplyReport {
        var report = TopicApplyReport()
        if kind.isEmbedded { report.embedded = kind }
        if case .embeddedElsewhere = kind { return report }
        let present = try await Set(admin.listTopics().map(\.name))
        let missing = topics.filter { !present.contains($0.name) }
        try await admin.createTopics(missing.map(\.specification))
        report.created = missing
        report.existing = topics.map(\.name).filter(present.contains)
        return report
    }

    /// The plan's topics as the cluster describes them (partitions, replicas, configs); topics it lacks are left
    /// out. Only for a real cluster: the embedded one does not answer DescribeConfigs.
    public func observe(admin: KafkaAdmin) async throws(KafkaError) -> [ObservedTopic] {
        let planned = Set(topics.map(\.name))
        let metadata = try await admin.listTopics().filter { planned.contains($0.name) }
        let configs = try await admin.describeTopicConfigs(metadata.map(\.name))
        return metadata.map { topic in
            ObservedTopic(
                name: topic.name, partitions: topic.partitions.count, replicationFactor: topic.replicationFactor,
                configs: (configs[topic.name] ?? [:]).compactMapValues(\.value))
        }
    }
}
