import Foundation
import Logging
import RenkeiKafka

/// The Swift side of the benchmark as its own process, the counterpart of `kafka_ceiling`: same arguments, same
/// `RESULT <mode> <count> <seconds> <msgs_per_sec> <cpu_seconds>` line, RenkeiKafka's default configuration.
enum SwiftClient {
    static func run(_ arguments: [String]) async throws -> Int32 {
        var logger = Logger(label: "renkei.kafka.bench.client")
        logger.logLevel = .error
        if arguments.count == 6 && arguments[0] == "produce" {
            let configuration = KafkaConfiguration(bootstrapServers: [arguments[1]])
            let (count, seconds) = try await produce(
                configuration, topic: arguments[2], count: Int(arguments[3])!, size: Int(arguments[4])!,
                partitions: Int(arguments[5])!, logger: logger)
            report("produce", count, seconds)
            return 0
        }
        if arguments.count == 5 && arguments[0] == "consume" {
            var configuration = KafkaConfiguration(bootstrapServers: [arguments[1]])
            configuration.consumer.groupID = arguments[4]
            let (count, seconds) = try await consume(
                configuration, topic: arguments[2], count: Int(arguments[3])!, logger: logger)
            report("consume", count, seconds)
            return 0
        }
        FileHandle.standardError.write(Data("usage: KafkaBench client produce|consume ...\n".utf8))
        return 2
    }

    static func report(_ mode: String, _ count: Int, _ seconds: Double) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu =
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
        print(String(format: "RESULT %@ %d %.3f %.0f %.3f", mode, count, seconds, Double(count) / seconds, cpu))
    }

    /// Produces `count` messages of `size` bytes, message i to partition i % partitions as the C ceiling does, in
    /// batches of 20 000 with up to 5 batches in flight (the in-flight bound, 100 000, is the same as C's).
    static func produce(
        _ configuration: KafkaConfiguration, topic: String, count: Int, size: Int, partitions: Int, logger: Logger
    ) async throws -> (Int, Double) {
        let producer = try await KafkaProducer.make(configuration: configuration, logger: logger)
        let admin = try KafkaAdmin.make(configuration: configuration, logger: logger)
        _ = try await admin.describeTopic(topic)  // connect and learn the topic first, as the C side does
        let batchSize = 20_000
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        // batchSize is a multiple of partitions, so every batch starts at partition 0.
        let batch = (0..<batchSize).map {
            KafkaOutgoingMessage(topic: topic, partition: Int32($0 % partitions), value: payload)
        }
        let start = ContinuousClock.now
        let delivered = try await withThrowingTaskGroup(of: Int.self) { group in
            var sent = 0
            var delivered = 0
            var inFlight = 0
            while sent < count {
                let n = min(batchSize, count - sent)
                let messages = n == batchSize ? batch : Array(batch.prefix(n))
                group.addTask {
                    let report = try await producer.send(messages)
                    return report.count - report.failureCount
                }
                sent += n
                inFlight += 1
                if inFlight == 5 {
                    delivered += try await group.next()!
                    inFlight -= 1
                }
            }
            for try await value in group { delivered += value }
            return delivered
        }
        let seconds = (ContinuousClock.now - start).seconds
        await producer.shutdown()
        guard delivered == count else { throw BenchError(message: "delivered \(delivered) of \(count)") }
        return (delivered, seconds)
    }

    /// Consumes `count` messages (reading every value's bytes); time runs from the first message, as in C.
    static func consume(
        _ configuration: KafkaConfiguration, topic: String, count: Int, logger: Logger
    ) async throws -> (Int, Double) {
        let consumer = try KafkaConsumer.make(configuration: configuration, logger: logger)
        try consumer.subscribe(topics: [topic])
        var received = 0
        var bytes = 0
        var start: ContinuousClock.Instant? = nil
        while received < count, let batch = try await consumer.nextBatch() {
            if start == nil { start = .now }
            for message in batch {
                bytes &+= message.withUnsafeValue { $0.count }
            }
            received += batch.count
        }
        let seconds = (ContinuousClock.now - start!).seconds
        await consumer.shutdown()
        guard received >= count, bytes > 0 else { throw BenchError(message: "received \(received) of \(count)") }
        return (received, seconds)
    }
}
