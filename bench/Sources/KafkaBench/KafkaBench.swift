// Kafka layer throughput: RenkeiKafka against the C ceiling (bench/kafka/kafka_ceiling.c), in the same run,
// against the same embedded cluster. Usage: KafkaBench <path to kafka_ceiling> [messages] [repetitions]
import Foundation
import Logging
import RenkeiKafka

@main
struct KafkaBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            print("usage: KafkaBench <kafka_ceiling binary> [messages=1000000] [repetitions=2]")
            exit(2)
        }
        let ceiling = arguments[1]
        let count = arguments.count > 2 ? Int(arguments[2])! : 1_000_000
        let repetitions = arguments.count > 3 ? Int(arguments[3])! : 2
        var logger = Logger(label: "renkei.kafka.bench")
        logger.logLevel = .error
        let cluster = try EmbeddedKafka.start(brokers: 1, logger: logger)
        print("embedded cluster at \(cluster.bootstrapServers); \(count) messages per run, best of \(repetitions)")
        // The mock keeps ~5 MiB per partition. Both producers spread messages round-robin over 200 partitions
        // (≤ 2.5 MB each for 1M × 500 B); the default sticky partitioner would pile MiBs onto a few and the mock
        // would drop the oldest.
        let partitions = 200

        var summary: [String] = []
        for size in [100, 500] {
            var cProduce = 0.0
            var swiftProduce = 0.0
            var cConsume = 0.0
            var swiftConsume = 0.0
            for repetition in 0..<repetitions {
                let cTopic = "bench.c.\(size).\(repetition)"
                let swiftTopic = "bench.swift.\(size).\(repetition)"
                try cluster.createTopic(cTopic, partitions: partitions)
                try cluster.createTopic(swiftTopic, partitions: partitions)

                cProduce = max(
                    cProduce,
                    try runCeiling(
                        ceiling, ["produce", cluster.bootstrapServers, cTopic, "\(count)", "\(size)", "\(partitions)"]))
                swiftProduce = max(
                    swiftProduce,
                    try await produce(
                        cluster, topic: swiftTopic, count: count, size: size, partitions: partitions, logger: logger))
                let admin = try KafkaAdmin.make(configuration: cluster.configuration, logger: logger)
                for topic in [cTopic, swiftTopic] {
                    let retained = try await admin.watermarks(topic: topic).values.reduce(0) { $0 + $1.count }
                    guard retained == count else {
                        throw BenchError(
                            message: "\(topic) retains \(retained) of \(count) messages: use more partitions")
                    }
                }
                // Both consumers read the same topic (the one the C producer wrote), each in its own group.
                cConsume = max(
                    cConsume,
                    try runCeiling(
                        ceiling, ["consume", cluster.bootstrapServers, cTopic, "\(count)", "c.\(size).\(repetition)"]))
                swiftConsume = max(
                    swiftConsume,
                    try await consume(
                        cluster, topic: cTopic, count: count, group: "swift.\(size).\(repetition)", logger: logger))
                print(
                    "  run \(repetition + 1) \(size) B: produce C \(Int(cProduce)) Swift \(Int(swiftProduce)); consume C \(Int(cConsume)) Swift \(Int(swiftConsume)) (best so far, msg/s)"
                )
            }
            summary.append(line("produce", size, c: cProduce, swift: swiftProduce))
            summary.append(line("consume", size, c: cConsume, swift: swiftConsume))
        }
        print("")
        for entry in summary { print(entry) }
        cluster.shutdown()
    }

    static func line(_ what: String, _ size: Int, c: Double, swift: Double) -> String {
        func rate(_ value: Double) -> String { String(format: "%.3fM msg/s", value / 1_000_000) }
        return "\(what) \(size) B: C \(rate(c)), Swift \(rate(swift)), Swift/C \(String(format: "%.2f", swift / c))"
    }

    /// Runs the C ceiling and returns its messages per second.
    static func runCeiling(_ path: String, _ arguments: [String]) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let result = output.split(separator: "\n").first(where: { $0.hasPrefix("RESULT") })
        else {
            throw BenchError(message: "ceiling \(arguments[0]) failed (\(process.terminationStatus)): \(output)")
        }
        return Double(result.split(separator: " ")[4])!
    }

    /// Produces `count` messages of `size` bytes in batches of 20 000, with up to 5 batches in flight.
    static func produce(
        _ cluster: EmbeddedKafka, topic: String, count: Int, size: Int, partitions: Int, logger: Logger
    ) async throws -> Double {
        let producer = try await KafkaProducer.make(configuration: cluster.configuration, logger: logger)
        let admin = try KafkaAdmin.make(configuration: cluster.configuration, logger: logger)
        _ = try await admin.describeTopic(topic)  // connect first, as the C side does
        let batchSize = 20_000
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        // Message i goes to partition i % partitions, as in the C ceiling; batchSize is a multiple of partitions.
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
        return Double(count) / seconds
    }

    /// Consumes `count` messages (reading every value's bytes) and returns messages per second from the first one.
    static func consume(
        _ cluster: EmbeddedKafka, topic: String, count: Int, group: String, logger: Logger
    ) async throws -> Double {
        var configuration = cluster.configuration
        configuration.consumer.groupID = group
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
        return Double(received) / seconds
    }
}

struct BenchError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
