import RenkeiKafka
import Testing

@Suite struct ProduceConsumeTests {
    @Test func roundTripsKeysValuesAndHeaders() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 3)
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        let sent = [
            KafkaOutgoingMessage(
                topic: topic, key: bytes("resident-1"), value: bytes("住民票"),
                headers: [
                    KafkaHeader(name: "ce_id", utf8: "e-1"), KafkaHeader(name: "ce_type", utf8: "renkei.provide"),
                    KafkaHeader(name: "empty", value: nil),
                ]),
            KafkaOutgoingMessage(topic: topic, key: nil, value: bytes("no key, no headers")),
            KafkaOutgoingMessage(topic: topic, partition: 2, key: bytes("k"), value: []),
        ]
        let report = try await producer.send(sent)
        #expect(report.allDelivered)
        #expect(report.count == 3)
        guard case .delivered(let partition, _) = report[2] else { Issue.record("not delivered"); return }
        #expect(partition == 2)

        let consumer = try KafkaConsumer.make(
            configuration: testConfiguration(cluster, group: uniqueTopic()), logger: testLogger)
        try consumer.subscribe(topics: [topic])
        let received = try await receive(3, from: consumer)
        await consumer.shutdown()
        await producer.shutdown()

        #expect(received.count == 3)
        let first = try #require(received.first { $0.key == bytes("resident-1") })
        #expect(first.text == "住民票")
        #expect(first.topic == topic)
        #expect(
            first.headers == [
                KafkaHeader(name: "ce_id", utf8: "e-1"), KafkaHeader(name: "ce_type", utf8: "renkei.provide"),
                KafkaHeader(name: "empty", value: nil),
            ])
        let keyless = try #require(received.first { $0.text == "no key, no headers" })
        #expect(keyless.key == nil)
        #expect(keyless.headers.isEmpty)
        let empty = try #require(received.first { $0.key == bytes("k") })
        #expect(empty.value.isEmpty)
        #expect(empty.partition == 2)
    }

    @Test func keepsPerKeyOrderAcrossPartitions() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 4)
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        // Three batches so order must hold across send calls too.
        for round in 0..<3 {
            let batch = (0..<300).map { index in
                KafkaOutgoingMessage(
                    topic: topic, key: bytes("key-\(index % 7)"), value: bytes("\(round * 300 + index)"))
            }
            let report = try await producer.send(batch)
            try report.throwIfAnyFailed()
        }
        let consumer = try KafkaConsumer.make(
            configuration: testConfiguration(cluster, group: uniqueTopic()), logger: testLogger)
        try consumer.subscribe(topics: [topic])
        let received = try await receive(900, from: consumer)
        await consumer.shutdown()
        await producer.shutdown()

        #expect(received.count == 900)
        var byKey: [[UInt8]: [Int]] = [:]
        var partitionOfKey: [[UInt8]: Set<Int32>] = [:]
        for record in received {
            byKey[record.key!, default: []].append(Int(record.text)!)
            partitionOfKey[record.key!, default: []].insert(record.partition)
        }
        #expect(byKey.count == 7)
        for (key, sequence) in byKey {
            #expect(sequence == sequence.sorted(), "order broken for \(String(decoding: key, as: UTF8.self))")
            #expect(partitionOfKey[key]!.count == 1)
        }
    }

    @Test func reportsEachMessageOutcomeInBatchOrder() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 2)
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        // Warm the metadata cache so the bad partition is known to be bad at enqueue time.
        try await producer.send([KafkaOutgoingMessage(topic: topic, value: bytes("warm"))]).throwIfAnyFailed()
        let batch = [
            KafkaOutgoingMessage(topic: topic, partition: 0, value: bytes("a")),
            KafkaOutgoingMessage(topic: topic, partition: 7, value: bytes("no such partition")),
            KafkaOutgoingMessage(topic: topic, partition: 1, value: bytes("b")),
        ]
        let report = try await producer.send(batch)
        await producer.shutdown()

        #expect(report.count == 3)
        #expect(report.failureCount == 1)
        #expect(report.failures.map(\.index) == [1])
        guard case .delivered(let p0, let o0) = report[0], case .delivered(let p2, _) = report[2] else {
            Issue.record("expected deliveries at 0 and 2: \(Array(report))")
            return
        }
        #expect(p0 == 0 && o0 >= 0)
        #expect(p2 == 1)
        guard case .failed(let error) = report[1] else { Issue.record("expected failure"); return }
        #expect(error.code == .unknownPartition)
        #expect(throws: KafkaError.self) { try report.throwIfAnyFailed() }
    }

    @Test func waitsForAcknowledgementsWhenInFlightBoundIsReached() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 2)
        var configuration = testConfiguration(cluster)
        configuration.producer.maxInFlightMessages = 50
        let producer = try await KafkaProducer.make(configuration: configuration, logger: testLogger)
        let report = try await producer.send(messages(topic: topic, count: 5000))
        await producer.shutdown()
        #expect(report.allDelivered)
        let admin = try KafkaAdmin.make(configuration: configuration, logger: testLogger)
        let marks = try await admin.watermarks(topic: topic)
        #expect(marks.values.reduce(0) { $0 + $1.count } == 5000)
    }

    /// A message larger than the whole in-flight byte bound can never be enqueued: it fails at once, and the
    /// messages around it are still delivered (with a bound of one message, the sender must be woken every time).
    @Test func messageLargerThanTheInFlightByteBoundFailsInsteadOfWaiting() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 1)
        var configuration = testConfiguration(cluster)
        configuration.producer.maxInFlightKilobytes = 2
        configuration.producer.maxInFlightMessages = 1
        let producer = try await KafkaProducer.make(configuration: configuration, logger: testLogger)
        let sent = [
            KafkaOutgoingMessage(topic: topic, value: bytes("small-1")),
            KafkaOutgoingMessage(topic: topic, value: [UInt8](repeating: 0x78, count: 8 * 1024)),
            KafkaOutgoingMessage(topic: topic, value: bytes("small-2")),
        ]
        let report = try await withDeadline(.seconds(20), "send with a message above the byte bound") {
            try await producer.send(sent)
        }
        await producer.shutdown()
        #expect(report.failureCount == 1)
        guard case .failed(let error) = report[1] else {
            Issue.record("the oversized message was not reported as failed")
            return
        }
        #expect(error.code == .queueFull)
        if case .delivered = report[0], case .delivered = report[2] {} else { Issue.record("\(Array(report))") }
    }

    @Test func readsFromAssignedOffsetsWithoutAGroup() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topic = try await seededTopic(cluster, partitions: 1, count: 20)

        let consumer = try KafkaConsumer.make(configuration: testConfiguration(cluster), logger: testLogger)
        try consumer.assign([KafkaPartitionOffset(topic: topic, partition: 0, offset: .offset(15))])
        let tail = try await receive(5, from: consumer, commit: false)
        #expect(tail.map(\.offset) == [15, 16, 17, 18, 19])
        #expect(tail.map(\.text) == (15..<20).map { "m-\($0)" })

        // A new cursor replaces the old one.
        try consumer.assign([KafkaPartitionOffset(topic: topic, partition: 0, offset: .offset(3))])
        let again = try await receive(2, from: consumer, commit: false)
        #expect(again.first?.offset == 3)
        await consumer.shutdown()
    }

    @Test func adminCreatesListsAndMeasuresTopicsOnTheEmbeddedCluster() async throws {
        let cluster = try EmbeddedKafka.start(brokers: 2, logger: testLogger)
        let topic = uniqueTopic()
        let admin = try KafkaAdmin.make(configuration: testConfiguration(cluster), logger: testLogger)
        try await admin.createTopic(topic, partitions: 6, replicationFactor: 2)
        try await admin.createTopic(topic, partitions: 6, replicationFactor: 2)  // existing: not an error
        let description = try await admin.describeTopic(topic)
        #expect(description.partitions == Array(0..<6))
        #expect(try await admin.listTopics().map(\.name).contains(topic))

        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        try await producer.send(
            (0..<10).map { KafkaOutgoingMessage(topic: topic, partition: 4, value: bytes("\($0)")) }
        )
        .throwIfAnyFailed()
        await producer.shutdown()
        #expect(try await admin.watermarks(topic: topic, partition: 4) == KafkaWatermarks(low: 0, high: 10))
        #expect(try await admin.watermarks(topic: topic, partition: 0) == KafkaWatermarks(low: 0, high: 0))
    }

    @Test func readsTopicsHeadersAndBytesOfOneBatchFromConcurrentTasks() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topics = [uniqueTopic() + ".a", uniqueTopic() + ".b"]
        for topic in topics { try cluster.createTopic(topic, partitions: 2) }
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        // One shared payload array, headers on every third message only, two topics in one send.
        let payload = bytes("shared payload")
        let sent = (0..<60).map { index in
            KafkaOutgoingMessage(
                topic: topics[index % 2], key: bytes("k\(index)"), value: payload,
                headers: index % 3 == 0 ? [KafkaHeader(name: "n", utf8: "\(index)")] : [])
        }
        try await producer.send(sent).throwIfAnyFailed()
        await producer.shutdown()

        let consumer = try KafkaConsumer.make(
            configuration: testConfiguration(cluster, group: uniqueTopic()), logger: testLogger)
        try consumer.subscribe(topics: topics)
        let seen = try await withDeadline(.seconds(30), "receiving 60 messages") {
            var seen: [String: Seen] = [:]
            while seen.count < 60, let batch = try await consumer.nextBatch() {
                // Headers are parsed on first access; two tasks reading the same batch must agree.
                async let first = batch.map(\.headers)
                async let second = batch.map(\.headers)
                let (a, b) = await (first, second)
                #expect(a == b)
                for (message, headers) in zip(batch, a) {
                    #expect(message.withUnsafeValue { Array($0) } == payload)
                    let key = message.withUnsafeKey { String(decoding: $0, as: UTF8.self) }
                    seen[key] = Seen(topic: message.topic, headers: headers)
                }
                try await consumer.commit(batch)
            }
            return seen
        }
        await consumer.shutdown()
        #expect(seen.count == 60)
        for index in 0..<60 {
            let entry = try #require(seen["k\(index)"])
            #expect(entry.topic == topics[index % 2])
            #expect(entry.headers == (index % 3 == 0 ? [KafkaHeader(name: "n", utf8: "\(index)")] : []))
        }
    }

    struct Seen: Sendable {
        var topic: String
        var headers: [KafkaHeader]
    }
}
