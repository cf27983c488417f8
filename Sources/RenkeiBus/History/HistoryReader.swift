public import Foundation
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

    /// Every entry, in topic order, with its offset; `unreadable` lists offsets that hold no entry; `retainedFrom`
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

    /// The entries that match `filter`, oldest first.
    public func query(_ filter: HistoryFilter) async throws -> [HistoryEntry] {
        try await readAll().entries.map(\.entry).filter(filter.matches)
    }

    /// Checks every chain in the topic; entries removed by retention are reported apart from tampering.
    public func verify() async throws -> HistoryVerification.Report {
        try await verify(from: nil)
    }

    /// The last entry of `chain` (sequence 0 and the genesis hash when it has none).
    func head(of chain: String) async throws -> HistoryChain.Head {
        let last = try await readAll().entries.last { $0.entry.chain == chain }?.entry
        return HistoryChain.Head(sequence: last?.sequence ?? 0, hash: last?.hash ?? HistoryHashing.genesis)
    }
}

/// What an operator asks of the history. Every condition that is set must hold.
public struct HistoryFilter: Sendable {
    public var linkage: String?
    /// A system as provider or receiver.
    public var system: String?
    /// A record key (宛名番号): "who received what about resident R".
    public var key: String?
    public var kind: HistoryEntry.Kind?
    public var since: Date?
    public var until: Date?

    public init(
        linkage: String? = nil, system: String? = nil, key: String? = nil, kind: HistoryEntry.Kind? = nil,
        since: Date? = nil, until: Date? = nil
    ) {
        self.linkage = linkage
        self.system = system
        self.key = key
        self.kind = kind
        self.since = since
        self.until = until
    }

    public func matches(_ entry: HistoryEntry) -> Bool {
        if let linkage, entry.linkage != linkage { return false }
        if let system, entry.provider != system, entry.receiver != system { return false }
        if let key, !entry.concerns(key: key) { return false }
        if let kind, entry.kind != kind { return false }
        if let since, entry.time < since { return false }
        if let until, entry.time > until { return false }
        return true
    }
}
