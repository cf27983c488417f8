import Foundation
import RenkeiBus
import RenkeiContracts

/// How `renkei topics` prints plans, apply reports and check findings.
enum TopicRendering {
    static func table(_ plan: TopicPlan) -> String {
        let header = ["TOPIC", "CLASS", "PARTITIONS", "REPLICATION", "MIN ISR", "RETENTION", "CONFIGS"]
        let rows = plan.topics.map { topic in
            [
                topic.name, topic.topicClass.rawValue, String(topic.partitions), String(topic.replicationFactor),
                String(topic.minInsyncReplicas), topic.retention.description,
                topic.configs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            // Every column but the last is padded, so no line ends in spaces.
            (zip(cells.dropLast(), widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                + [cells.last ?? ""]).joined(separator: "  ")
        }
        return
            ([
                "\(plan.topics.count) topics; replication \(plan.settings.replicationFactor), "
                    + "min.insync.replicas \(plan.settings.minInsyncReplicas), cleanup.policy delete"
                    + " (compact for \(plan.topics.contains { $0.topicClass == .fileState } ? "the file state and " : "")"
                    + "the shared settings, compact,delete for transfer status)",
                "",
                line(header),
            ] + rows.map(line)).joined(separator: "\n")
    }

    static func json(_ plan: TopicPlan) -> String {
        let settings = plan.settings
        let retentions: [(String, JSONValue)] = [
            ("history", .string(settings.historyRetention.configValue)),
            ("deadLetters", .string(settings.deadLetterRetention.configValue)),
            ("receiver", .string(settings.receiverRetention.configValue)),
            ("bulk", .string(settings.effectiveBulkRetention.configValue)),
            ("query", .string(settings.queryRetention.configValue)),
            ("reply", .string(settings.replyRetention.configValue)),
        ]
        let topics: [JSONValue] = plan.topics.map { topic in
            .object([
                ("name", .string(topic.name)), ("class", .string(topic.topicClass.rawValue)),
                ("partitions", .integer(topic.partitions)), ("replicationFactor", .integer(topic.replicationFactor)),
                ("minInsyncReplicas", .integer(topic.minInsyncReplicas)),
                ("configs", .object(topic.configs.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ])
        }
        return JSONValue.object([
            (
                "settings",
                .object([
                    ("replicationFactor", .integer(settings.replicationFactor)),
                    ("minInsyncReplicas", .integer(settings.minInsyncReplicas)),
                    ("partitions", .integer(settings.partitions)),
                    ("bulkPartitions", .integer(settings.bulkPartitions)), ("retentionMs", .object(retentions)),
                ])
            ),
            ("topics", .array(topics)),
        ]).serialized(pretty: true)
    }

    static func applied(_ report: TopicApplyReport) -> String {
        var lines: [String] = []
        if let kind = report.embedded { lines.append("note: " + TopicPlan.embeddedNote(kind)) }
        lines += report.created.map { "created \($0.name) (\($0.partitions) partitions, retention \($0.retention))" }
        lines += report.existing.map { "exists  \($0)" }
        lines.append("\(report.created.count) created, \(report.existing.count) already there")
        return lines.joined(separator: "\n")
    }

    static func findings(_ findings: [TopicFinding], of plan: TopicPlan) -> String {
        guard !findings.isEmpty else { return "All \(plan.topics.count) topics match the plan." }
        return
            (findings.map(\.description) + [
                "\(findings.count) difference\(findings.count == 1 ? "" : "s") from the plan; "
                    + "`renkei topics apply` creates missing topics, other settings need kafka-configs or your provider."
            ]).joined(separator: "\n")
    }
}
