extension TopicPlan {
    /// What a comparison looks for.
    public enum CheckScope: Sendable {
        /// Every difference from the plan (`renkei topics check`): missing topics, fewer partitions or replicas,
        /// and any `cleanup.policy`, `retention.ms` or `min.insync.replicas` other than planned.
        case plan
        /// Only what must stop the bus from starting: history or dead-letter retention below the legal minimum,
        /// and replication below the setting. Missing topics are left to topic creation.
        case start
    }

    /// Compares the cluster's description of topics with the plan; no findings means it meets it. A pure function:
    /// the Kafka side is in ``TopicPlan/observe(admin:)``.
    public func check(_ observed: [ObservedTopic], scope: CheckScope = .plan) -> [TopicFinding] {
        let byName = Dictionary(observed.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var findings: [TopicFinding] = []
        for planned in topics {
            guard let topic = byName[planned.name] else {
                if scope == .plan {
                    findings.append(
                        TopicFinding(
                            topic: planned.name, setting: "topic", found: nil,
                            required: "present (renkei topics apply creates it)"))
                }
                continue
            }
            if topic.replicationFactor < planned.replicationFactor {
                findings.append(
                    TopicFinding(
                        topic: planned.name, setting: TopicConfigKey.replicationFactor,
                        found: String(topic.replicationFactor), required: "at least \(planned.replicationFactor)"))
            }
            switch scope {
            case .start:
                if [.history, .historyKeys, .deadLetters].contains(planned.topicClass),
                    let finding = Self.legalRetentionFinding(topic)
                {
                    findings.append(finding)
                }
            case .plan:
                findings += Self.planFindings(topic, planned)
            }
        }
        return findings
    }

    private static func planFindings(_ topic: ObservedTopic, _ planned: PlannedTopic) -> [TopicFinding] {
        var findings: [TopicFinding] = []
        if topic.partitions < planned.partitions {
            findings.append(
                TopicFinding(
                    topic: planned.name, setting: TopicConfigKey.partitions, found: String(topic.partitions),
                    required: "at least \(planned.partitions)"))
        }
        for (key, value) in planned.configs.sorted(by: { $0.key < $1.key }) {
            let found = topic.configs[key]
            guard !Self.sameConfig(key, found, value) else { continue }
            var required = value
            if key == TopicConfigKey.retention, let retention = Int64(value) {
                required += " (\(TopicRetention(milliseconds: retention)))"
            }
            findings.append(
                TopicFinding(
                    topic: planned.name, setting: key, found: found.map(Self.explained(key)), required: required))
        }
        return findings
    }

    /// A history or dead-letter topic whose retention is below the legal minimum.
    private static func legalRetentionFinding(_ topic: ObservedTopic) -> TopicFinding? {
        let found = topic.configs[TopicConfigKey.retention]
        if let found, let milliseconds = Int64(found), TopicRetention(milliseconds: milliseconds) >= .legalMinimum {
            return nil
        }
        return TopicFinding(
            topic: topic.name, setting: TopicConfigKey.retention, found: found.map(explained(TopicConfigKey.retention)),
            required:
                "at least \(TopicRetention.legalMinimum.milliseconds) (7 years, the My Number Act's retention of "
                + "access records), or -1 (forever)")
    }

    private static func sameConfig(_ key: String, _ found: String?, _ planned: String) -> Bool {
        guard let found else { return false }
        if key == TopicConfigKey.retention, let a = Int64(found), let b = Int64(planned) {
            return TopicRetention(milliseconds: a) == TopicRetention(milliseconds: b)
                || (a < 0 && b < 0)
        }
        if key == TopicConfigKey.cleanupPolicy {
            // A list: `compact,delete` and `delete, compact` are the same policy.
            func policies(_ text: String) -> Set<String> {
                Set(text.split(separator: ",").map { String($0.filter { !$0.isWhitespace }) })
            }
            return policies(found) == policies(planned)
        }
        return found == planned
    }

    /// A found value with its meaning where it helps: `604800000 (7d)`.
    private static func explained(_ key: String) -> (String) -> String {
        { value in
            guard key == TopicConfigKey.retention, let milliseconds = Int64(value) else { return value }
            return "\(value) (\(TopicRetention(milliseconds: milliseconds)))"
        }
    }
}
