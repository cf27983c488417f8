import RenkeiKafka
import Synchronization
import Testing

/// Values seen by several consumers.
final class Collected: Sendable {
    private let values = Mutex<[String]>([])
    func append(_ more: [String]) { values.withLock { $0.append(contentsOf: more) } }
    var all: [String] { values.withLock { $0 } }
    var count: Int { values.withLock { $0.count } }
}

@Suite struct ConsumerGroupTests {
    /// Reads until `stop` says so, recording every record and committing each batch.
    private func drain(
        _ consumer: KafkaConsumer, into sink: Collected, until done: @escaping @Sendable () -> Bool
    ) async throws {
        while !done(), let batch = try await consumer.nextBatch() {
            let values = batch.map { String(decoding: $0.value, as: UTF8.self) }
            sink.append(values)
            try await Task.sleep(for: .milliseconds(2))  // a little processing time, so revocations find work in hand
            do {
                try await consumer.commit(batch)
            } catch {
                // During a rebalance the commit may fail retriably; the revocation commits the processed offsets.
                if !error.isRetriable { throw error }
            }
        }
    }

    @Test func processesEveryMessageWhenASecondMemberJoinsMidStream() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 4)
        let group = uniqueTopic()
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        let total = 4000
        let seen = Collected()
        let done: @Sendable () -> Bool = { Set(seen.all).count >= total }

        let first = try KafkaConsumer.make(configuration: testConfiguration(cluster, group: group), logger: testLogger)
        let second = try KafkaConsumer.make(configuration: testConfiguration(cluster, group: group), logger: testLogger)
        try first.subscribe(topics: [topic])
        try await withDeadline(.seconds(60), "group consumption") {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await self.drain(first, into: seen, until: done) }
                // Produce in chunks over ~3 s so the rebalance (≈2 s on the mock) happens while messages flow.
                let chunk = total / 40
                for index in 0..<40 {
                    let prefix = index < 20 ? "a" : "b"
                    let start = (index % 20) * chunk
                    let batch = (start..<start + chunk).map {
                        KafkaOutgoingMessage(topic: topic, key: bytes("k\($0 % 13)"), value: bytes("\(prefix)-\($0)"))
                    }
                    try await producer.send(batch).throwIfAnyFailed()
                    if index == 4 {
                        try second.subscribe(topics: [topic])
                        tasks.addTask { try await self.drain(second, into: seen, until: done) }
                    }
                    try await Task.sleep(for: .milliseconds(75))
                }
                while !done() { try await Task.sleep(for: .milliseconds(20)) }
                await first.shutdown()
                await second.shutdown()
                try await tasks.waitForAll()
            }
        }
        await producer.shutdown()
        let all = seen.all
        let expected = Set((0..<total / 2).map { "a-\($0)" } + (0..<total / 2).map { "b-\($0)" })
        #expect(Set(all) == expected)
        // No duplicate assertion here: librdkafka 2.0.2's mock coordinator answers every OffsetCommit during a
        // rebalance with REBALANCE_IN_PROGRESS (a real broker accepts it until the sync phase), so the offsets the
        // revocation commits are refused and the new owner re-reads them. What must hold everywhere is no loss.
        #expect(all.count >= total)
    }

    @Test func newMemberResumesAfterCommittedOffsets() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 1)
        let group = uniqueTopic()
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        try await producer.send(messages(topic: topic, count: 100)).throwIfAnyFailed()

        let first = try KafkaConsumer.make(configuration: testConfiguration(cluster, group: group), logger: testLogger)
        try first.subscribe(topics: [topic])
        let firstRead = try await receive(100, from: first)
        await first.shutdown()
        #expect(firstRead.count == 100)

        try await producer.send(messages(topic: topic, count: 10, prefix: "later")).throwIfAnyFailed()
        await producer.shutdown()
        let second = try KafkaConsumer.make(configuration: testConfiguration(cluster, group: group), logger: testLogger)
        try second.subscribe(topics: [topic])
        let secondRead = try await receive(10, from: second)
        let committed = try await second.committedOffsets(for: [KafkaTopicPartition(topic: topic, partition: 0)])
        await second.shutdown()
        #expect(secondRead.map(\.text) == (0..<10).map { "later-\($0)" })
        #expect(committed.first?.offset == .offset(110))
    }

    @Test func shutdownLeavesTheGroupSoPartitionsMoveAtOnce() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 4)
        let group = uniqueTopic()
        var configuration = testConfiguration(cluster, group: group)
        // librdkafka 2.0.2's mock coordinator completes any rebalance only after (session timeout - 1 s), even
        // when all members rejoined at once. With LeaveGroup the partitions move after ~7 s; without it the
        // member must first expire (8 s) and then the rebalance waits another 7 s.
        configuration.consumer.sessionTimeout = .seconds(8)
        let stayer = try KafkaConsumer.make(configuration: configuration, logger: testLogger)
        let leaver = try KafkaConsumer.make(configuration: configuration, logger: testLogger)
        try stayer.subscribe(topics: [topic])
        try leaver.subscribe(topics: [topic])
        let reader = Task { while try await stayer.nextBatch() != nil {} }
        try await withDeadline(.seconds(20), "both members assigned") {
            while stayer.assignment.count + leaver.assignment.count < 4 || leaver.assignment.isEmpty {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let before = ContinuousClock.now
        await leaver.shutdown()
        try await withDeadline(.seconds(12), "partitions moved") {
            while stayer.assignment.count < 4 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(ContinuousClock.now - before < .seconds(12))
        #expect(stayer.assignment.count == 4)
        await stayer.shutdown()
        _ = try await reader.value
    }
}
