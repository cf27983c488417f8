import Foundation
public import Logging
public import RenkeiKafka

/// Reads the history topic: for operators' questions, for `verify`, and for a bus instance recovering the head
/// of its chain at start.
public struct HistoryReader: Sendable {
    let reader: TopicReader
    /// The topic to read; `BusTopics.history` but for tests and forensic copies.
    public var topic: String

    init(reader: TopicReader, topic: String = BusTopics.history) {
        self.reader = reader
        self.topic = topic
    }

    /// Reads through the bus's long-lived consumers.
    public init(bus: Bus, topic: String = BusTopics.history) {
        self.init(reader: TopicReader(bus: bus), topic: topic)
    }

    /// Reads with clients of its own (for a command that asks one question).
    public init(configuration: KafkaConfiguration, logger: Logger, topic: String = BusTopics.history) throws {
        let pool = ReaderPool(configuration: configuration, logger: logger, maxClients: 1)
        try self.init(
            reader: TopicReader(pool: pool, admin: KafkaAdmin.make(configuration: configuration, logger: logger)),
            topic: topic)
    }

    /// Every entry, in topic order, with its offset, all in memory: for small histories (tests, forensic copies);
    /// questions go to the index and `verify` streams. `unreadable` lists offsets that hold no entry; `retainedFrom`
    /// is the oldest offset the topic still holds (entries before it were removed by retention).
    public func readAll() async throws -> (
        entries: [(offset: Int64, entry: HistoryEntry)], unreadable: [Int64], retainedFrom: Int64
    ) {
        let ends = try await reader.watermarks(topic)
        let messages = try await reader.read(topic: topic, ends: ends).messages
        var entries: [(Int64, HistoryEntry)] = []
        var unreadable: [Int64] = []
        for message in messages {
            if let entry = HistoryHashing.decode(message.value) {
                entries.append((message.offset, entry))
            } else {
                unreadable.append(message.offset)
            }
        }
        return (entries, unreadable, ends.values.map(\.low).min() ?? 0)
    }

    /// Checks every chain in the topic; entries removed by retention are reported apart from tampering.
    public func verify() async throws -> HistoryVerification.Report {
        try await verify(from: nil)
    }
}
