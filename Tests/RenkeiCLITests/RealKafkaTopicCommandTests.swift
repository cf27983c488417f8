import Foundation
import Logging
import RenkeiKafka
import Testing

private let realBootstrap: String? = {
    guard let value = getenv("RENKEI_KAFKA_BOOTSTRAP") else { return nil }
    return String(cString: value)
}()

/// `renkei topics apply|check` on a real cluster: the embedded one ignores topic configs and answers neither
/// CreateTopics nor DescribeConfigs. Set RENKEI_KAFKA_BOOTSTRAP (for example `localhost:9092` with
/// `docker-compose.yml`'s three brokers) to run it; RENKEI_REPLICATION_FACTOR and RENKEI_MIN_INSYNC_REPLICAS
/// reach the commands for a smaller cluster. Each run uses its own instance, so its reply topic is its own.
@Suite(
    .serialized,
    .enabled(
        if: realBootstrap != nil,
        "RENKEI_KAFKA_BOOTSTRAP is not set: topic configs can only be applied and checked on a real Kafka cluster")
)
struct RealKafkaTopicCommandTests {
    private let instance = "topic-test-\(UUID().uuidString.prefix(8).lowercased())"
    private var brokers: [String] { ["--brokers", realBootstrap ?? "", "--instance", instance] }

    @Test func applyCreatesTopicsWithThePlannedConfigsAndCheckFindsALoweredRetention() async throws {
        let apply = try CLIRunner.run(["topics", "apply"] + brokers)
        #expect(apply.status == 0, "\(apply.stderr)")
        let replyTopic = "renkei.reply.\(instance)"
        #expect(apply.stdout.contains("created \(replyTopic) (1 partitions, retention 1d)"), "\(apply.stdout)")

        var configuration = KafkaConfiguration(
            bootstrapServers: (realBootstrap ?? "").split(separator: ",").map(String.init))
        configuration.operationTimeout = .seconds(30)
        var logger = Logger(label: "renkei.test")
        logger.logLevel = .error
        let admin = try KafkaAdmin.make(configuration: configuration, logger: logger)
        #expect(try await !admin.clusterKind().isEmbedded)
        let configs = try #require(try await admin.describeTopicConfigs([replyTopic])[replyTopic])
        #expect(configs["retention.ms"]?.value == "86400000")
        #expect(configs["retention.ms"]?.isDefault == false)
        #expect(configs["cleanup.policy"]?.value == "delete")
        let replication = ProcessInfo.processInfo.environment["RENKEI_MIN_INSYNC_REPLICAS"] ?? "2"
        #expect(configs["min.insync.replicas"]?.value == replication)
        let history = try #require(try await admin.describeTopicConfigs(["renkei.history"])["renkei.history"])
        #expect(
            history["retention.ms"]?.value == "-1", "the history was created by an earlier apply with other settings")

        let before = try CLIRunner.run(["topics", "check"] + brokers)
        #expect(!before.stdout.contains(replyTopic), "\(before.stdout)")

        try await admin.alterTopicConfigs(
            replyTopic,
            ["retention.ms": "60000", "cleanup.policy": "delete", "min.insync.replicas": replication])
        let after = try CLIRunner.run(["topics", "check"] + brokers)
        #expect(after.status == 1, "\(after.stdout)\(after.stderr)")
        #expect(
            after.stdout.contains("\(replyTopic): retention.ms is 60000 (1m); required: 86400000 (1d)"),
            "\(after.stdout)")
    }

    @Test func serveRefusesToStartBelowTheReplicationSetting() async throws {
        let apply = try CLIRunner.run(["topics", "apply"] + brokers)
        #expect(apply.status == 0, "\(apply.stderr)")
        // Every topic exists now, so serve creates nothing and goes straight to its start check.
        let replicas = ProcessInfo.processInfo.environment["RENKEI_REPLICATION_FACTOR"].flatMap { Int($0) } ?? 3
        let serve = try ServeProcess(
            ["--port", "0", "--demo", "--replication-factor", String(replicas + 1)] + brokers)
        #expect(try await serve.wait(timeout: .seconds(60)) == 3, "\(serve.stderr)")
        #expect(serve.stderr.contains("renkei serve: refusing to start: the Kafka topics do not meet the topic plan:"))
        #expect(
            serve.stderr.contains(
                "renkei.history: replication.factor is \(replicas); required: at least \(replicas + 1)"),
            "\(serve.stderr)")
        #expect(!serve.stderr.contains("gateway listening"))
    }
}
