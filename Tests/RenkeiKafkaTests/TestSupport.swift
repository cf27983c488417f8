import Foundation
import Logging
import RenkeiKafka
import Synchronization
import Testing

/// A logger that stays quiet unless something is wrong.
let testLogger: Logger = {
    var logger = Logger(label: "renkei.kafka.tests")
    logger.logLevel = ProcessInfo.processInfo.environment["RENKEI_TEST_LOG"] == "1" ? .info : .error
    return logger
}()

private let topicCounter = Atomic<Int>(0)

/// A topic name no other test uses.
func uniqueTopic(_ name: String = #function) -> String {
    let base = name.prefix { $0.isLetter || $0.isNumber }
    return "test.\(base).\(topicCounter.add(1, ordering: .relaxed).newValue).\(UInt32.random(in: 0...UInt32.max))"
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out: \(what)" }
}

/// Runs `body`, failing with ``TimedOut`` after `timeout` (the body is cancelled).
func withDeadline<T: Sendable>(
    _ timeout: Duration, _ what: String = "operation", _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut(what: what) }
        return value
    }
}

/// A consumed record copied out of its batch.
struct Received: Sendable, Hashable {
    var topic: String
    var partition: Int32
    var offset: Int64
    var key: [UInt8]?
    var value: [UInt8]
    var headers: [KafkaHeader]

    var text: String { String(decoding: value, as: UTF8.self) }
}

/// Reads batches until `count` messages arrived, committing each batch, within `timeout`.
func receive(
    _ count: Int, from consumer: KafkaConsumer, commit: Bool = true, timeout: Duration = .seconds(30)
) async throws -> [Received] {
    try await withDeadline(timeout, "receiving \(count) messages") {
        var received: [Received] = []
        while received.count < count, let batch = try await consumer.nextBatch() {
            for message in batch {
                received.append(
                    Received(
                        topic: message.topic, partition: message.partition, offset: message.offset, key: message.key,
                        value: message.value, headers: message.headers))
            }
            if commit { try await consumer.commit(batch) }
        }
        return received
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func messages(topic: String, count: Int, prefix: String = "m", keys: Int? = nil) -> [KafkaOutgoingMessage] {
    (0..<count).map { index in
        KafkaOutgoingMessage(
            topic: topic, key: keys.map { bytes("k\(index % $0)") }, value: bytes("\(prefix)-\(index)"))
    }
}

/// A configuration for `cluster` with short timeouts, so failures show quickly.
func testConfiguration(_ cluster: EmbeddedKafka, group: String? = nil) -> KafkaConfiguration {
    var configuration = cluster.configuration
    configuration.operationTimeout = .seconds(10)
    configuration.producer.linger = .milliseconds(1)
    configuration.consumer.groupID = group
    // Short sessions: the mock coordinator waits (session timeout - 1 s) in every rebalance.
    configuration.consumer.sessionTimeout = .seconds(3)
    configuration.consumer.heartbeatInterval = .milliseconds(500)
    configuration.consumer.batchWait = .milliseconds(20)
    configuration.logLevel = 3
    return configuration
}

/// A new topic of `partitions` on `cluster` holding `count` messages "m-0", "m-1", …; returns its name.
func seededTopic(
    _ cluster: EmbeddedKafka, partitions: Int, count: Int, name: String = #function
) async throws -> String {
    let topic = uniqueTopic(name)
    try cluster.createTopic(topic, partitions: partitions)
    let producer = try await KafkaProducer.make(configuration: testConfiguration(cluster), logger: testLogger)
    try await producer.send(messages(topic: topic, count: count)).throwIfAnyFailed()
    await producer.shutdown()
    return topic
}
