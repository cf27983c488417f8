import RenkeiKafka
import Testing

@Suite struct FaultToleranceTests {
    @Test func deliversEveryAcknowledgedMessageAfterBrokerRestart() async throws {
        let cluster = try EmbeddedKafka.start(brokers: 3, logger: testLogger)
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 6, replicationFactor: 3)
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        let admin = try KafkaAdmin.make(configuration: testConfiguration(cluster), logger: testLogger)
        let leaders = try await admin.describeTopic(topic).leaders
        let victim = try #require(leaders.first)

        try await producer.send(messages(topic: topic, count: 300, prefix: "before")).throwIfAnyFailed()
        try cluster.setBrokerDown(victim)
        // Sent while a partition leader is down: librdkafka keeps retrying until the broker is back.
        let during = Task { try await producer.send(messages(topic: topic, count: 600, prefix: "during", keys: 50)) }
        try await Task.sleep(for: .milliseconds(1500))
        try cluster.setBrokerUp(victim)
        let duringReport = try await withDeadline(.seconds(40), "deliveries after restart") { try await during.value }
        try await producer.send(messages(topic: topic, count: 300, prefix: "after")).throwIfAnyFailed()
        await producer.shutdown()

        #expect(duringReport.allDelivered, "failures: \(duringReport.failures.prefix(3).map(\.error))")
        let acknowledged = Set(
            (0..<300).map { "before-\($0)" } + (0..<300).map { "after-\($0)" }
                + duringReport.indices.compactMap { index -> String? in
                    if case .delivered = duringReport[index] { return "during-\(index)" }
                    return nil
                })
        let consumer = try KafkaConsumer.make(
            configuration: testConfiguration(cluster, group: uniqueTopic()), logger: testLogger)
        try consumer.subscribe(topics: [topic])
        let received = try await receive(acknowledged.count, from: consumer, timeout: .seconds(40))
        await consumer.shutdown()
        #expect(acknowledged.isSubset(of: Set(received.map(\.text))))
        #expect(received.count == Set(received.map(\.text)).count, "idempotence: no duplicates in the log")
    }

    @Test func retriesInjectedProduceErrorsTransparently() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 1)
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        try await producer.send(messages(topic: topic, count: 1, prefix: "warm")).throwIfAnyFailed()
        cluster.injectRequestErrors([.notLeaderForPartition, .requestTimedOut, .notEnoughReplicas], for: .produce)
        let report = try await producer.send(messages(topic: topic, count: 100))
        await producer.shutdown()
        #expect(report.allDelivered)
        let offsets = report.compactMap { outcome -> Int64? in
            if case .delivered(_, let offset) = outcome { return offset }
            return nil
        }
        #expect(offsets == Array(1...100), "one partition, in order, once each")
    }

    @Test func slowBrokerStillDeliversWithinTheDeliveryTimeout() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 2)
        try cluster.setRoundTripTime(.milliseconds(300), broker: 1)
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        let report = try await producer.send(messages(topic: topic, count: 50))
        await producer.shutdown()
        #expect(report.allDelivered)
    }

    @Test func unreachableBrokersFailWithinTheConfiguredTimeouts() async throws {
        var configuration = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"])
        configuration.producer.deliveryTimeout = .seconds(2)
        configuration.operationTimeout = .seconds(2)
        configuration.logLevel = 0
        let started = ContinuousClock.now
        let producer = try await KafkaProducer.make(configuration: configuration, logger: testLogger)
        let report = try await withDeadline(.seconds(15), "delivery timeout") {
            try await producer.send(messages(topic: "nowhere", count: 3))
        }
        #expect(report.failureCount == 3)
        if case .failed(let error) = report[0] {
            #expect(error.code == .messageTimedOut)
            #expect(error.isRetriable)
        } else {
            Issue.record("expected a failure")
        }
        let admin = try KafkaAdmin.make(configuration: configuration, logger: testLogger)
        let error = await #expect(throws: KafkaError.self) {
            try await withDeadline(.seconds(15), "watermarks") {
                try await admin.watermarks(topic: "nowhere", partition: 0)
            }
        }
        #expect(error?.isRetriable == true)
        await producer.shutdown()
        #expect(ContinuousClock.now - started < .seconds(20))

        var transactionalConfiguration = configuration
        transactionalConfiguration.producer.transactionalID = "unreachable"
        let transactional = transactionalConfiguration
        await #expect(throws: KafkaError.self) {
            try await withDeadline(.seconds(15), "init transactions") {
                _ = try await KafkaProducer.make(configuration: transactional, logger: testLogger)
            }
        }
    }
}
