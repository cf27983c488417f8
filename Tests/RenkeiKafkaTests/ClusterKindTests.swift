import Foundation
import RenkeiKafka
import Testing

/// Recognising librdkafka's mock cluster, in this process and (as another process sees it) elsewhere.
struct ClusterKindTests {
    @Test func theEmbeddedClusterOfThisProcessIsKnownByItsAddress() async throws {
        let cluster = try EmbeddedKafka.start(brokers: 3, logger: testLogger)
        defer { cluster.shutdown() }
        let admin = try KafkaAdmin.make(configuration: testConfiguration(cluster), logger: testLogger)
        #expect(try await admin.clusterKind() == .embeddedInProcess)
        let topic = uniqueTopic()
        try await admin.createTopic(topic, partitions: 2, replicationFactor: 3)
        let description = try await admin.describeTopic(topic)
        #expect(description.replicaCounts == [3, 3])
        #expect(description.replicationFactor == 3)
    }

    @Test func theMockClusterOfAnotherProcessIsKnownByItsClusterID() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        defer { cluster.shutdown() }
        // `localhost` instead of the registered `127.0.0.1` makes this client look like one of another process.
        let port = try #require(cluster.bootstrapServers.split(separator: ",").first?.split(separator: ":").last)
        var configuration = KafkaConfiguration(bootstrapServers: ["localhost:\(port)"])
        configuration.operationTimeout = .seconds(10)
        let admin = try KafkaAdmin.make(configuration: configuration, logger: testLogger)
        let kind = try await admin.clusterKind()
        guard case .embeddedElsewhere(let id) = kind else {
            Issue.record("expected the mock cluster of another process, got \(kind)")
            return
        }
        #expect(id.hasPrefix("mockCluster"))
        let started = ContinuousClock.now
        let error = await #expect(throws: KafkaError.self) {
            try await admin.createTopic(uniqueTopic(), partitions: 1)
        }
        #expect(error?.code == .unsupportedFeature)
        #expect(ContinuousClock.now - started < .seconds(5), "refused at once, not after CreateTopics times out")
    }
}
