import RenkeiKafka
import Testing

/// What a real broker's transaction markers do to a reader, reproduced on the embedded cluster with a marker
/// appended the way a broker writes it (``EmbeddedKafka/appendTransactionMarker(topic:partition:commit:)``).
@Suite struct TransactionMarkerTests {
    @Test func markerTakesAnOffsetButIsNeverHandedOut() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        defer { cluster.shutdown() }
        let topic = try await seededTopic(cluster, partitions: 1, count: 3)
        let marker = try cluster.appendTransactionMarker(topic: topic, partition: 0)
        #expect(marker == 3)
        let admin = try KafkaAdmin.make(configuration: testConfiguration(cluster), logger: testLogger)
        #expect(try await admin.watermarks(topic: topic, partition: 0) == KafkaWatermarks(low: 0, high: 4))

        var configuration = testConfiguration(cluster)
        configuration.consumer.reportsPartitionEnd = true
        let consumer = try KafkaConsumer.make(configuration: configuration, logger: testLogger)
        try consumer.assign([KafkaPartitionOffset(topic: topic, partition: 0, offset: .offset(0))])
        let received = try await receive(3, from: consumer, commit: false)
        #expect(received.map(\.offset) == [0, 1, 2])
        // "Read until the record at high watermark − 1" never ends here: that record is the marker.
        await #expect(throws: TimedOut.self) {
            _ = try await withDeadline(.seconds(2), "the record at offset 3") { try await consumer.nextBatch() }
        }
        // Ending by position does: the consumer moved past the marker.
        let partition = KafkaTopicPartition(topic: topic, partition: 0)
        let reached = try await withDeadline(.seconds(10), "position past the marker") {
            while true {
                if let offset = consumer.reachedOffset(of: partition), offset >= 4 { return offset }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        #expect(reached == 4)
        await consumer.shutdown()
    }

    @Test func abortMarkerIsHiddenToo() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        defer { cluster.shutdown() }
        let topic = try await seededTopic(cluster, partitions: 1, count: 1)
        #expect(try cluster.appendTransactionMarker(topic: topic, partition: 0, commit: false) == 1)
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        try await producer.send(messages(topic: topic, count: 1, prefix: "after")).throwIfAnyFailed()
        await producer.shutdown()

        let consumer = try KafkaConsumer.make(configuration: testConfiguration(cluster), logger: testLogger)
        try consumer.assign([KafkaPartitionOffset(topic: topic, partition: 0, offset: .offset(0))])
        let received = try await receive(2, from: consumer, commit: false)
        #expect(received.map(\.offset) == [0, 2])
        #expect(received.map(\.text) == ["m-0", "after-0"])
        await consumer.shutdown()
    }

    @Test func timedWaitReturnsNothingWithoutLosingALaterBatch() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        defer { cluster.shutdown() }
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 1)
        let consumer = try KafkaConsumer.make(configuration: testConfiguration(cluster), logger: testLogger)
        try consumer.assign([KafkaPartitionOffset(topic: topic, partition: 0, offset: .offset(0))])
        #expect(try await consumer.nextBatch(within: .milliseconds(50)) == nil)
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        try await producer.send(messages(topic: topic, count: 5)).throwIfAnyFailed()
        await producer.shutdown()
        var offsets: [Int64] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while offsets.count < 5, ContinuousClock.now < deadline {
            if let batch = try await consumer.nextBatch(within: .milliseconds(5)) { offsets += batch.map(\.offset) }
        }
        #expect(offsets == [0, 1, 2, 3, 4])
        await consumer.shutdown()
    }
}
