import RenkeiKafka
import Testing

@Suite struct GroupOffsetsTests {
    @Test func theAdminClientReadsAnotherGroupsCommittedOffsetsWithoutJoiningIt() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 2)
        let group = uniqueTopic() + ".group"
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        try await producer.send(messages(topic: topic, count: 40, keys: 8)).throwIfAnyFailed()
        await producer.shutdown()

        let consumer = try KafkaConsumer.make(
            configuration: testConfiguration(cluster, group: group), logger: testLogger)
        try consumer.subscribe(topics: [topic])
        let service = Task { try await consumer.run() }
        try await withDeadline(.seconds(20), "reading then shutdown") {
            var count = 0
            for try await batch in consumer.batches {
                count += batch.count
                consumer.markProcessed(batch)  // committed by the shutdown
                if count >= 40 { service.cancel() }
            }
        }
        try await service.value

        let admin = try KafkaAdmin.make(configuration: testConfiguration(cluster), logger: testLogger)
        let marks = try await admin.watermarks(topic: topic)
        let committed = try await admin.committedOffsets(group: group, topic: topic, partitions: [0, 1])
        #expect(committed == marks.filter { $0.value.high > 0 }.mapValues(\.high))
        #expect(committed.values.reduce(0, +) == 40)
        let unknown = try await admin.committedOffsets(group: group + ".never", topic: topic, partitions: [0, 1])
        #expect(unknown.isEmpty)
    }
}
