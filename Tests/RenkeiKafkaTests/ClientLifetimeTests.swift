import Foundation
import RenkeiKafka
import Synchronization
import Testing

/// librdkafka's `rd_kafka_destroy` waits forever while any message of the client is alive, so the order in which
/// a consumer and its batches go away must never matter.
@Suite struct ClientLifetimeTests {
    /// Holds the only reference to a value, so a test can drop it on a thread of its choosing.
    final class Holder<Value>: @unchecked Sendable {
        // Safe: set once by the test, cleared once on the dropping thread, with a join in between.
        var value: Value?
        init(_ value: Value) { self.value = value }
    }

    /// Clears `holder` on a thread of its own and reports whether that finished within `timeout`.
    func drop<Value>(_ holder: Holder<Value>, within timeout: DispatchTime) -> Bool {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            holder.value = nil
            done.signal()
        }
        thread.start()
        return done.wait(timeout: timeout) == .success
    }

    @Test func droppingAConsumerWithBufferedAndHeldBatchesNeitherHangsNorFreesTheHeldOne() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let topic = uniqueTopic()
        try cluster.createTopic(topic, partitions: 4)
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        try await producer.send(messages(topic: topic, count: 4000)).throwIfAnyFailed()
        await producer.shutdown()

        var configuration = testConfiguration(cluster)
        configuration.consumer.maxBatchSize = 50
        configuration.consumer.bufferedBatches = 4
        let consumer = Holder(try KafkaConsumer.make(configuration: configuration, logger: testLogger))
        try consumer.value!.assign(
            (0..<4).map { KafkaPartitionOffset(topic: topic, partition: $0, offset: .beginning) })
        let held = try await withDeadline(.seconds(30), "first batch") { [consumer] in
            try await consumer.value!.nextBatch()
        }
        let batch = Holder(try #require(held))
        let expected = batch.value!.map { String(decoding: $0.value, as: UTF8.self) }
        // Let the poll thread fill the buffer, so batches are still buffered when the consumer goes.
        try await Task.sleep(for: .milliseconds(300))
        await consumer.value!.shutdown()

        #expect(drop(consumer, within: .now() + 20), "dropping the consumer hung in rd_kafka_destroy")
        // The held batch still reads its own bytes: the client outlives it.
        #expect(batch.value!.map { String(decoding: $0.value, as: UTF8.self) } == expected)
        #expect(expected.allSatisfy { $0.hasPrefix("m-") })
        #expect(drop(batch, within: .now() + 20), "dropping the last batch hung destroying its client")
    }
}
