import Testing

@testable import RenkeiKafka

/// A group that falls behind retention is told which offsets it skipped.
@Suite struct RetentionLossTests {
    @Test func consumerBehindRetentionReportsTheSkippedOffsets() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        defer { cluster.shutdown() }
        let topic = try await seededTopic(cluster, partitions: 1, count: 3)
        let group = "retention-\(UInt32.random(in: 0...UInt32.max))"
        let first = try KafkaConsumer.make(configuration: testConfiguration(cluster, group: group), logger: testLogger)
        try first.subscribe(topics: [topic])
        #expect(try await receive(3, from: first).map(\.offset) == [0, 1, 2])
        await first.shutdown()

        // The embedded cluster keeps about 5 MiB per partition: 7 MiB more removes the committed position, as
        // retention does on a broker.
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        let filler = [UInt8](repeating: 0x2E, count: 100 * 1024)
        try await producer.send(
            Array(repeating: KafkaOutgoingMessage(topic: topic, partition: 0, key: nil, value: filler), count: 70)
        ).throwIfAnyFailed()
        await producer.shutdown()
        let admin = try KafkaAdmin.make(configuration: testConfiguration(cluster), logger: testLogger)
        let low = try await admin.watermarks(topic: topic, partition: 0).low
        #expect(low > 3)

        let second = try KafkaConsumer.make(configuration: testConfiguration(cluster, group: group), logger: testLogger)
        try second.subscribe(topics: [topic])
        let resumed = try await receive(1, from: second)
        #expect(resumed.first?.offset == low, "librdkafka resumes at the oldest retained offset")
        let losses = second.takeRetentionLosses()
        #expect(losses == [KafkaRetentionLoss(partition: KafkaTopicPartition(topic: topic, partition: 0), from: 3)])
        #expect(second.takeRetentionLosses().isEmpty, "each loss is reported once")
        await second.shutdown()
    }

    @Test(arguments: [
        (
            "[thrd:main]: renkei.out.resident-change.018 [3]: offset reset (at offset 17, broker 1) to cached BEGINNING "
                + "offset 22: fetch failed due to requested offset not available on the broker: Broker: Offset out of range",
            KafkaRetentionLoss(
                partition: KafkaTopicPartition(topic: "renkei.out.resident-change.018", partition: 3), from: 17)
        ),
        (
            "[thrd:main]: t [0]: offset reset (at offset INVALID, broker -1) to BEGINNING: no previously committed offset",
            nil
        ),
        ("[thrd:main]: t [0]: Fetch backoff for 500ms: Broker: Offset out of range", nil),
    ])
    func readsLibrdkafkasResetWarning(line: String, expected: KafkaRetentionLoss?) {
        #expect(KafkaRetentionLoss(log: line) == expected)
    }

    @Test func aNewGroupStartingAtTheBeginningLosesNothing() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        defer { cluster.shutdown() }
        let topic = try await seededTopic(cluster, partitions: 1, count: 2)
        let consumer = try KafkaConsumer.make(
            configuration: testConfiguration(cluster, group: "new-\(UInt32.random(in: 0...UInt32.max))"),
            logger: testLogger)
        try consumer.subscribe(topics: [topic])
        #expect(try await receive(2, from: consumer).count == 2)
        #expect(consumer.takeRetentionLosses().isEmpty)
        await consumer.shutdown()
    }
}
