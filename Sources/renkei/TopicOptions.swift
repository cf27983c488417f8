import ArgumentParser
import Foundation
import RenkeiBus

/// The topic plan's settings, shared by `serve`, `topics` and every `--brokers` command. Each flag falls back to
/// its `RENKEI_*` environment variable, then to the default (docs/operations.md has the table).
struct TopicOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Replicas of every topic partition (RENKEI_REPLICATION_FACTOR). Default 3; 1 on the embedded cluster.",
            valueName: "n"))
    var replicationFactor: Int?

    @Option(
        help: ArgumentHelp(
            "min.insync.replicas of every topic: replicas that must have a write before it is acknowledged "
                + "(RENKEI_MIN_INSYNC_REPLICAS). Default 2; 1 on the embedded cluster.", valueName: "n"))
    var minInsyncReplicas: Int?

    @Option(
        help: ArgumentHelp("Partitions of receiver and query topics (RENKEI_PARTITIONS). Default 4.", valueName: "n"))
    var partitions: Int?

    @Option(
        help: ArgumentHelp("Partitions of bulk-chunk topics (RENKEI_BULK_PARTITIONS). Default 16.", valueName: "n"))
    var bulkPartitions: Int?

    @Option(
        help: ArgumentHelp(
            "Retention of the history (RENKEI_HISTORY_RETENTION): forever (default) or at least 7y, the My Number "
                + "Act's retention of access records. Durations: forever, 7y, 30d, 12h, 90m, 60s, 1500ms.",
            valueName: "duration"))
    var historyRetention: String?

    @Option(
        help: ArgumentHelp(
            "Retention of dead-letter topics (RENKEI_DEAD_LETTER_RETENTION): forever (default) or at least 7y.",
            valueName: "duration"))
    var deadLetterRetention: String?

    @Option(
        help: ArgumentHelp(
            "Retention of receiver topics: how long a receiver may be away and still catch up "
                + "(RENKEI_RECEIVER_RETENTION). Default 30d.", valueName: "duration"))
    var receiverRetention: String?

    @Option(
        help: ArgumentHelp(
            "Retention of bulk-chunk topics (RENKEI_BULK_RETENTION); never shorter than the receiver retention, "
                + "since the manifests on receiver topics point to the chunks. Default: the receiver retention.",
            valueName: "duration"))
    var bulkRetention: String?

    @Option(
        help: ArgumentHelp("Retention of query topics (RENKEI_QUERY_RETENTION). Default 1d.", valueName: "duration"))
    var queryRetention: String?

    @Option(
        help: ArgumentHelp("Retention of reply topics (RENKEI_REPLY_RETENTION). Default 1d.", valueName: "duration"))
    var replyRetention: String?

    /// The settings from flags, environment and defaults (`embedded` picks replication 1 and min ISR 1); exits
    /// with 2 naming the flag or variable when a value is unusable or the settings break a rule.
    func settings(
        embedded: Bool, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws
        -> TopicSettings
    {
        var settings: TopicSettings = embedded ? .embedded : .cluster
        func number(_ flag: Int?, _ option: String, _ variable: String) throws -> Int? {
            if let flag { return flag }
            guard let text = environment[variable], !text.isEmpty else { return nil }
            guard let value = Int(text) else {
                throw usageFailure("\(variable)=\(text) is not a whole number (it sets \(option)).")
            }
            return value
        }
        func retention(_ flag: String?, _ option: String, _ variable: String) throws -> TopicRetention? {
            let source = flag != nil ? option : variable
            guard let text = flag ?? environment[variable], !text.isEmpty else { return nil }
            guard let value = TopicRetention(parsing: text) else {
                throw usageFailure(
                    "\(source) `\(text)` is not a retention: use forever, or a number with ms, s, m, h, d or y.")
            }
            return value
        }
        if let value = try number(replicationFactor, "--replication-factor", "RENKEI_REPLICATION_FACTOR") {
            settings.replicationFactor = value
        }
        if let value = try number(minInsyncReplicas, "--min-insync-replicas", "RENKEI_MIN_INSYNC_REPLICAS") {
            settings.minInsyncReplicas = value
        }
        if let value = try number(partitions, "--partitions", "RENKEI_PARTITIONS") { settings.partitions = value }
        if let value = try number(bulkPartitions, "--bulk-partitions", "RENKEI_BULK_PARTITIONS") {
            settings.bulkPartitions = value
        }
        if let value = try retention(historyRetention, "--history-retention", "RENKEI_HISTORY_RETENTION") {
            settings.historyRetention = value
        }
        if let value = try retention(deadLetterRetention, "--dead-letter-retention", "RENKEI_DEAD_LETTER_RETENTION") {
            settings.deadLetterRetention = value
        }
        if let value = try retention(receiverRetention, "--receiver-retention", "RENKEI_RECEIVER_RETENTION") {
            settings.receiverRetention = value
        }
        settings.bulkRetention = try retention(bulkRetention, "--bulk-retention", "RENKEI_BULK_RETENTION")
        if let value = try retention(queryRetention, "--query-retention", "RENKEI_QUERY_RETENTION") {
            settings.queryRetention = value
        }
        if let value = try retention(replyRetention, "--reply-retention", "RENKEI_REPLY_RETENTION") {
            settings.replyRetention = value
        }
        do {
            try settings.validate()
        } catch {
            throw usageFailure("\(error)")
        }
        return settings
    }
}
