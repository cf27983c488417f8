import Foundation
import Synchronization
import Testing

@testable import RenkeiKafka

/// librdkafka's `rd_kafka_destroy` waits forever while any message of the client is alive, so the order in which
/// a consumer and its batches go away must never matter.
@Suite struct ClientLifetimeTests {
    /// Holds the only reference to a value, so a test can drop it on a thread of its choosing.
    final class Holder<Value>: @unchecked Sendable {
        // Safe: set once by the test, cleared once on the dropping thread, with a join in between.
        var value: Value?
        init(_ value: Value?) { self.value = value }
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
        let topic = try await seededTopic(cluster, partitions: 4, count: 4000)

        var configuration = testConfiguration(cluster)
        configuration.consumer.maxBatchSize = 50
        configuration.consumer.bufferedBatches = 4
        let consumer = Holder(try KafkaConsumer.make(configuration: configuration, logger: testLogger))
        try consumer.value!.assign(
            (0..<4).map { KafkaPartitionOffset(topic: topic, partition: $0, offset: .beginning) })
        // Only the holders reference the consumer and the batch, so the test controls when each goes.
        let batch = Holder<KafkaMessageBatch>(nil)
        batch.value = try await withDeadline(.seconds(30), "first batch") { [consumer] in
            try await consumer.value!.nextBatch()
        }
        try #require(batch.value != nil)
        let expected = batch.value!.map { String(decoding: $0.value, as: UTF8.self) }
        // Let the poll thread fill the buffer, so batches are still buffered when the consumer goes.
        try await Task.sleep(for: .milliseconds(300))
        await consumer.value!.shutdown()
        weak let client = consumer.value!.client

        #expect(drop(consumer, within: .now() + 20), "dropping the consumer hung in rd_kafka_destroy")
        // The held batch still reads its own bytes: the client outlives it.
        #expect(client != nil)
        #expect(batch.value!.map { String(decoding: $0.value, as: UTF8.self) } == expected)
        #expect(expected.allSatisfy { $0.hasPrefix("m-") })
        #expect(drop(batch, within: .now() + 20), "dropping the last batch hung destroying its client")
        // And then the client is freed (librdkafka's threads and sockets with it): nothing keeps it in a cycle.
        #expect(try await becomesNil({ client }), "the client outlived its consumer and every batch")
    }

    /// Polls `value` for up to 5 s (the consumer's poll thread lets go of the client just after it says it ended).
    private func becomesNil(_ value: () -> AnyObject?) async throws -> Bool {
        for _ in 0..<500 where value() != nil { try await Task.sleep(for: .milliseconds(10)) }
        return value() == nil
    }
}

/// The embedded brokers answer without Nagle's delay: every socket of theirs, the listener and the connections
/// it accepted, has `TCP_NODELAY` (without it, back-to-back responses waited for the client's delayed ACK).
@Suite struct EmbeddedSocketTests {
    @Test func brokerSocketsSendWithoutNagleDelay() async throws {
        let cluster = try EmbeddedKafka.start(logger: testLogger)
        let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
        try await producer.send(messages(topic: uniqueTopic(), count: 3)).throwIfAnyFailed()
        let port = try #require(cluster.bootstrapServers.split(separator: ":").last.flatMap { UInt16($0) })
        let options = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { entry in
            Int32(entry).flatMap { noDelay(of: $0, ifLocalPort: port) }
        }
        await producer.shutdown()
        #expect(options.count >= 2, "the broker's listener and at least one accepted connection")
        #expect(options.allSatisfy { $0 })
    }

    /// Whether `TCP_NODELAY` is set on `descriptor`, if it is an IPv4 socket bound to local port `port`.
    private func noDelay(of descriptor: Int32, ifLocalPort port: UInt16) -> Bool? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0, address.sin_family == sa_family_t(AF_INET), UInt16(bigEndian: address.sin_port) == port
        else { return nil }
        var value: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &size) == 0 else { return nil }
        return value != 0
    }
}
