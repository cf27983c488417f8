import Foundation
import Logging
import RenkeiBus
import RenkeiContracts
import RenkeiKafka

/// Makes the embedded cluster's history topic end where the index does, then times `Bus.start` with the index's
/// directory as its data directory (one untimed start first, which creates the bus's topics).
///
/// The topic gets cheap one-byte filler up to the last `tail` entries, then those entries as the bus wrote them
/// (keyed by chain), so the start's check of its chain head against the topic reads a real entry. The embedded
/// cluster keeps only the newest few MiB of a partition, which is all a start reads.
enum BusStarts {
    static func run(
        kafka: EmbeddedKafka, directory: String, next: Int64, tail: [(value: [UInt8], key: String)], instance: String,
        contracts: ContractSet, starts: Int, logger: Logger
    ) async throws -> [Double] {
        try kafka.createTopic(BusTopics.history, partitions: 1)
        let producer = try await KafkaProducer.make(configuration: kafka.configuration, logger: logger)
        let filler = next - Int64(tail.count)
        let one: [UInt8] = [0x2e]
        let (_, fillSeconds) = try await Measure.time {
            var sent: Int64 = 0
            while sent < filler {
                let count = Int(min(100_000, filler - sent))
                let batch = [KafkaOutgoingMessage](
                    repeating: KafkaOutgoingMessage(topic: BusTopics.history, partition: 0, value: one), count: count)
                try await producer.send(batch).throwIfAnyFailed()
                sent += Int64(count)
            }
            try await producer.send(
                tail.map {
                    KafkaOutgoingMessage(
                        topic: BusTopics.history, partition: 0, key: Array($0.key.utf8), value: $0.value)
                }
            ).throwIfAnyFailed()
        }
        await producer.shutdown()
        let admin = try KafkaAdmin.make(configuration: kafka.configuration, logger: logger)
        let marks = try await admin.watermarks(topic: BusTopics.history, partition: 0)
        precondition(marks.high == next, "the topic ends at \(marks.high), the index at \(next)")
        print(
            String(
                format: "topic    %lld filler + %d entries produced in %.1f s; watermarks low %lld, high %lld",
                filler, tail.count, fillSeconds, marks.low, marks.high))

        var configuration = BusConfiguration(kafka: kafka.configuration, instance: instance)
        configuration.dataDirectory = directory
        var times: [Double] = []
        for run in 0...starts {
            let (bus, seconds) = try await Measure.time {
                try await Bus.start(contracts: contracts, configuration: configuration, logger: logger)
            }
            // A start that found the index inconsistent would have emptied it and be rebuilding from the topic.
            let indexed = try await bus.history.index.nextOffset()
            await bus.shutdown()
            precondition(indexed >= next, "the bus emptied the index (next offset \(indexed), expected \(next))")
            if run > 0 { times.append(seconds) }
            print(
                "start    \(run == 0 ? "untimed" : "run") \(run): "
                    + String(format: "%.3f s (index next offset %lld)", seconds, indexed))
        }
        return times
    }
}
