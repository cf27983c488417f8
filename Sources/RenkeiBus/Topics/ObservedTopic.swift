/// A topic as the cluster describes it: what ``TopicPlan/check(_:scope:)`` compares with the plan.
public struct ObservedTopic: Sendable, Hashable {
    /// The topic name.
    public var name: String
    /// Its partition count.
    public var partitions: Int
    /// The fewest replicas of any of its partitions.
    public var replicationFactor: Int
    /// Its configs, name → value (broker defaults included, as DescribeConfigs reports them).
    public var configs: [String: String]

    /// A topic description.
    public init(name: String, partitions: Int, replicationFactor: Int, configs: [String: String]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// One way the cluster differs from the plan: the topic, the setting, the value found and the value required.
public struct TopicFinding: Sendable, Hashable, CustomStringConvertible {
    /// The topic.
    public var topic: String
    /// The setting (`retention.ms`, `replication.factor`, …), or `topic` when the topic is missing.
    public var setting: String
    /// The value on the cluster; `nil` when the topic or the config is missing.
    public var found: String?
    /// What the plan (or the law) requires, in words such as `at least 3`.
    public var required: String

    /// A finding.
    public init(topic: String, setting: String, found: String?, required: String) {
        self.topic = topic
        self.setting = setting
        self.found = found
        self.required = required
    }

    public var description: String {
        if setting == "topic" { return "\(topic): missing; required: \(required)" }
        return "\(topic): \(setting) is \(found ?? "not reported"); required: \(required)"
    }
}

/// A topic plan that cannot be built (settings breaking a rule) or a cluster that does not meet it.
public struct TopicPlanError: Error, Sendable, CustomStringConvertible {
    /// What the cluster lacks; empty when the settings were refused.
    public var findings: [TopicFinding]
    /// Why the settings were refused; `nil` for findings.
    public var settingsReason: String?

    init(settings reason: String) {
        self.findings = []
        self.settingsReason = reason
    }

    init(findings: [TopicFinding]) {
        self.findings = findings
        self.settingsReason = nil
    }

    public var description: String {
        if let settingsReason { return "topic settings refused: \(settingsReason)" }
        return (["the Kafka topics do not meet the topic plan:"] + findings.map { "  " + $0.description })
            .joined(separator: "\n")
    }
}
