import RenkeiKafka
import Testing

@Suite struct KafkaServiceTests {
    @Test func producerServiceFlushesAcknowledgedMessagesOnShutdown() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 2)
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        let service = Task { try await producer.run() }
        let report = try await producer.send(messages(topic: topic, count: 500))
        service.cancel()  // as a ServiceGroup does on shutdown without graceful support
        try await withDeadline(.seconds(20), "producer service stop") { try await service.value }
        #expect(report.allDelivered)
        let error = await #expect(throws: KafkaError.self) { try await producer.send(messages(topic: topic, count: 1)) }
        #expect(error?.code == .destroyed)

        let admin = try KafkaAdmin.make(configuration: testConfiguration(cluster), logger: testLogger)
        let marks = try await admin.watermarks(topic: topic)
        #expect(marks.values.reduce(0) { $0 + $1.count } == 500)
    }

    @Test func consumerServiceEndsBatchesAndCommitsOnShutdown() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 1)
        let group = uniqueTopic()
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        try await producer.send(messages(topic: topic, count: 40)).throwIfAnyFailed()
        await producer.shutdown()

        let consumer = try KafkaConsumer.make(
            configuration: testConfiguration(cluster, group: group), logger: testLogger)
        try consumer.subscribe(topics: [topic])
        let service = Task { try await consumer.run() }
        let received = try await withDeadline(.seconds(20), "reading then shutdown") {
            var count = 0
            for try await batch in consumer.batches {
                count += batch.count
                consumer.markProcessed(batch)  // committed by the shutdown, not here
                if count >= 40 { service.cancel() }
            }
            return count
        }
        try await service.value
        #expect(received == 40)
        let check = try KafkaConsumer.make(configuration: testConfiguration(cluster, group: group), logger: testLogger)
        let committed = try await check.committedOffsets(for: [KafkaTopicPartition(topic: topic, partition: 0)])
        await check.shutdown()
        #expect(committed.first?.offset == .offset(40))
    }
}
