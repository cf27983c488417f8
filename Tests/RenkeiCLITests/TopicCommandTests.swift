import Foundation
import Logging
import RenkeiKafka
import Testing

/// `renkei topics plan|apply|check` as an operator runs them.
@Suite(.serialized) struct TopicCommandTests {
    @Test func planPrintsEveryTopicWithItsSettings() throws {
        let result = try CLIRunner.run(["topics", "plan", "--instance", "gw-1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.hasPrefix(
                "32 topics; replication 3, min.insync.replicas 2, cleanup.policy delete (compact for the file state "
                    + "and the shared settings, compact,delete for transfer status)"))
        let history = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("renkei.history ") })
        #expect(
            Array(history.split(separator: " ").prefix(6).map(String.init)) == [
                "renkei.history", "history", "1", "3", "2", "forever",
            ])
        #expect(history.hasSuffix("cleanup.policy=delete min.insync.replicas=2 retention.ms=-1"))
        #expect(result.stdout.contains("renkei.reply.gw-1 "))
        #expect(result.stdout.contains("renkei.bulk.resident-register-daily.008"))
        // Receiver 008 gets full files: the current record per key lives in a compacted topic, kept forever.
        let state = try #require(
            result.stdout.split(separator: "\n").first { $0.hasPrefix("renkei.state.resident-register-daily.008 ") })
        #expect(state.hasSuffix("cleanup.policy=compact min.insync.replicas=2 retention.ms=-1"))
    }

    @Test func planAsJSONTakesFlagsAndEnvironment() throws {
        let result = try CLIRunner.run(
            ["topics", "plan", "--format", "json", "--instance", "gw-1", "--receiver-retention", "14d"],
            environment: ["RENKEI_REPLICATION_FACTOR": "5", "RENKEI_MIN_INSYNC_REPLICAS": "3"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
        let topics = try #require(document["topics"] as? [[String: Any]])
        #expect(topics.count == 32)
        let receiver = try #require(topics.first { $0["name"] as? String == "renkei.out.resident-change.C001" })
        #expect(receiver["class"] as? String == "receiver")
        #expect(receiver["replicationFactor"] as? Int == 5)
        #expect(receiver["minInsyncReplicas"] as? Int == 3)
        #expect((receiver["configs"] as? [String: String])?["retention.ms"] == "1209600000")
        let bulk = try #require(topics.first { $0["name"] as? String == "renkei.bulk.resident-change.C001" })
        #expect((bulk["configs"] as? [String: String])?["retention.ms"] == "1209600000", "bulk follows receivers")
    }

    @Test func planRefusesSettingsThatBreakTheRules() throws {
        let bulk = try CLIRunner.run(["topics", "plan", "--bulk-retention", "1d"])
        #expect(bulk.status == 2)
        #expect(bulk.stderr.contains("bulk retention 1d is shorter than receiver retention 30d"))
        let history = try CLIRunner.run(["topics", "plan"], environment: ["RENKEI_HISTORY_RETENTION": "365d"])
        #expect(history.status == 2)
        #expect(history.stderr.contains("history retention 365d is below the legal minimum of 7 years"))
        let garbage = try CLIRunner.run(["topics", "plan", "--query-retention", "soon"])
        #expect(garbage.status == 2)
        #expect(garbage.stderr.contains("--query-retention `soon` is not a retention"))
        let replicas = try CLIRunner.run(["topics", "plan"], environment: ["RENKEI_MIN_INSYNC_REPLICAS": "x"])
        #expect(replicas.status == 2)
        #expect(replicas.stderr.contains("RENKEI_MIN_INSYNC_REPLICAS=x is not a whole number"))
    }

    @Test func applyAndCheckOnTheEmbeddedClusterSayConfigsAreNotCheckable() throws {
        var logger = Logger(label: "renkei.test")
        logger.logLevel = .critical
        let kafka = try EmbeddedKafka.start(logger: logger)
        defer { kafka.shutdown() }
        let brokers = ["--brokers", kafka.bootstrapServers, "--timeout", "10"]
        let started = ContinuousClock.now
        let apply = try CLIRunner.run(["topics", "apply"] + brokers)
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.contains("note: embedded Kafka of another process (mockCluster"))
        #expect(apply.stdout.contains("configs cannot be checked"))
        let check = try CLIRunner.run(["topics", "check"] + brokers)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.hasPrefix("not checked: embedded Kafka of another process"))
        #expect(ContinuousClock.now - started < .seconds(10), "nothing waits for the mock's missing answers")
    }
}
