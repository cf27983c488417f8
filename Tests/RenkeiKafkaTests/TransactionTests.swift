import RenkeiKafka
import Testing

private struct BusinessRuleFailed: Error {}

@Suite struct TransactionTests {
    private func transactionalConfiguration(_ cluster: EmbeddedKafka, id: String) -> KafkaConfiguration {
        var configuration = testConfiguration(cluster)
        configuration.producer.transactionalID = id
        return configuration
    }

    /// Large values are read by librdkafka in place, after `send` returned: the sender's arrays are gone by then,
    /// and every byte must still arrive as sent.
    /// A new topic of `partitions` on `cluster`, and a transactional producer with an id of its own.
    private func transactionalProducer(
        on cluster: EmbeddedKafka, partitions: Int
    ) async throws -> (topic: String, producer: KafkaProducer) {
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: partitions)
        let producer = try await KafkaProducer.make(
            configuration: transactionalConfiguration(cluster, id: uniqueTopic()), logger: testLogger)
        return (topic, producer)
    }

    @Test func largeValuesSentInATransactionArriveIntactAfterTheSenderLetGoOfThem() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let (topic, producer) = try await transactionalProducer(on: cluster, partitions: 2)
        func large(_ index: Int) -> [UInt8] { (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) } }
        try await producer.transaction { transaction in
            for index in 0..<6 {
                // Each batch is built here and dropped by this frame as soon as `send` has enqueued it.
                try await transaction.send([
                    KafkaOutgoingMessage(topic: topic, key: bytes("k\(index)"), value: large(index))
                ])
            }
        }
        await producer.shutdown()

        let consumer = try KafkaConsumer.make(configuration: testConfiguration(cluster), logger: testLogger)
        try consumer.assign((0..<2).map { KafkaPartitionOffset(topic: topic, partition: $0, offset: .beginning) })
        let received = try await receive(6, from: consumer, commit: false)
        await consumer.shutdown()
        #expect(received.count == 6)
        for message in received {
            let index = try #require(message.key.flatMap { Int(String(decoding: $0.dropFirst(), as: UTF8.self)) })
            #expect(message.value == large(index), "value of k\(index) changed on the way")
        }
    }

    @Test func commitsOneTransactionAcrossTopicsAndReturnsAfterCommit() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topics = [uniqueTopic(), uniqueTopic(), uniqueTopic()]
        for topic in topics { try cluster.createTopic(topic, partitions: 2) }
        let producer = try await KafkaProducer.make(
            configuration: transactionalConfiguration(cluster, id: uniqueTopic()), logger: testLogger)
        let sentCount = try await producer.transaction { transaction in
            for topic in topics {
                try await transaction.send(messages(topic: topic, count: 50))
            }
            return 150
        }
        #expect(sentCount == 150)
        // Committed means acknowledged: the records are in the logs when transaction(_:) returns.
        let admin = try KafkaAdmin.make(configuration: testConfiguration(cluster), logger: testLogger)
        for topic in topics {
            let marks = try await admin.watermarks(topic: topic)
            #expect(marks.values.reduce(0) { $0 + $1.count } >= 50)
        }
        let report = try await producer.sendTransactionally(messages(topic: topics[0], count: 10, prefix: "second"))
        #expect(report.allDelivered && report.count == 10)
        await producer.shutdown()

        let consumer = try KafkaConsumer.make(
            configuration: testConfiguration(cluster, group: uniqueTopic()), logger: testLogger)
        try consumer.subscribe(topics: topics)
        let received = try await receive(160, from: consumer)
        await consumer.shutdown()
        #expect(Set(received.map { "\($0.topic)/\($0.text)" }).count == 160)
    }

    /// A manifest that points at its records needs their offsets inside the transaction, before the commit;
    /// the commit then waits again on the same messages and must not hang.
    @Test func sendAndWaitReportsOffsetsBeforeTheCommit() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let (topic, producer) = try await transactionalProducer(on: cluster, partitions: 1)
        let offsets = try await producer.transaction { transaction in
            let report = try await transaction.sendAndWait(messages(topic: topic, count: 4))
            let offsets = report.map { outcome -> Int64 in
                if case .delivered(_, let offset) = outcome { return offset }
                return -1
            }
            try await transaction.send(messages(topic: topic, count: 1, prefix: "manifest"))
            return offsets
        }
        #expect(offsets == [0, 1, 2, 3])
        await producer.shutdown()
    }

    @Test func abortsWhenTheBodyThrowsAndRethrowsItsError() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let (topic, producer) = try await transactionalProducer(on: cluster, partitions: 1)
        await #expect(throws: BusinessRuleFailed.self) {
            try await producer.transaction { transaction in
                try await transaction.send(messages(topic: topic, count: 5, prefix: "aborted"))
                throw BusinessRuleFailed()
            }
        }
        // The producer stays usable: the next transaction commits.
        let report = try await producer.sendTransactionally(messages(topic: topic, count: 3, prefix: "kept"))
        #expect(report.allDelivered)
        await producer.shutdown()
    }

    @Test func failedDeliveryAbortsTheTransactionAndSaysSo() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let (topic, producer) = try await transactionalProducer(on: cluster, partitions: 1)
        _ = try await producer.sendTransactionally(messages(topic: topic, count: 1, prefix: "warm"))
        let error = await #expect(throws: KafkaError.self) {
            try await producer.transaction { transaction in
                try await transaction.send(messages(topic: topic, count: 3))
                try await transaction.send([KafkaOutgoingMessage(topic: topic, partition: 9, value: bytes("lost"))])
            }
        }
        #expect(error?.requiresTransactionAbort == true, "\(String(describing: error))")
        #expect(error?.message.hasPrefix("transaction aborted: 1 messages not delivered") == true)
        #expect(error?.code == .unknownPartition)
        // Aborted, not broken: the producer commits the next one.
        let report = try await producer.sendTransactionally(messages(topic: topic, count: 2, prefix: "next"))
        #expect(report.allDelivered)
        await producer.shutdown()
    }

    @Test func brokerRejectingTheCommitSurfacesAFatalError() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let (topic, producer) = try await transactionalProducer(on: cluster, partitions: 1)
        cluster.injectRequestErrors([.invalidTransactionState], for: .endTransaction)
        let error = await #expect(throws: KafkaError.self) {
            try await producer.sendTransactionally(messages(topic: topic, count: 5))
        }
        #expect(error?.isFatal == true, "\(String(describing: error))")
        #expect(error?.code == .invalidTransactionState)
        // A fatal producer refuses further work with the same error instead of hanging.
        await #expect(throws: KafkaError.self) { try await producer.send(messages(topic: topic, count: 1)) }
        await producer.shutdown()
    }

    // librdkafka 2.0.2's mock broker does not check producer epochs, so a second producer with the same
    // transactional id does not fence the first there; the broker's fencing answer is injected instead.
    @Test func fencedProducerFailsWithAFatalError() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let (topic, producer) = try await transactionalProducer(on: cluster, partitions: 1)
        _ = try await producer.sendTransactionally(messages(topic: topic, count: 2))
        cluster.injectRequestErrors([.producerFenced], for: .endTransaction)
        let error = await #expect(throws: KafkaError.self) {
            try await producer.sendTransactionally(messages(topic: topic, count: 2, prefix: "zombie"))
        }
        #expect(error?.isFatal == true, "\(String(describing: error))")
        #expect(error?.requiresTransactionAbort == false)
        await producer.shutdown()
    }

    @Test func transactionWithoutTransactionalIDNamesTheKey() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        let error = await #expect(throws: KafkaError.self) {
            try await producer.transaction { _ in () }
        }
        #expect(error?.configurationKey == "transactional.id")
        await producer.shutdown()
    }
}
