import Foundation
public import Logging
public import RenkeiKafka

/// Lists and shows dead letters across every dead-letter topic of the cluster.
public struct DeadLetterReader: Sendable {
    let reader: TopicReader

    public init(bus: Bus) {
        self.reader = TopicReader(bus: bus)
    }

    /// Reads with clients of its own (for a command that asks one question).
    public init(configuration: KafkaConfiguration, logger: Logger) throws {
        self.reader = TopicReader(
            pool: ReaderPool(configuration: configuration, logger: logger, maxClients: 1),
            admin: try KafkaAdmin.make(configuration: configuration, logger: logger))
    }

    /// Every dead letter matching `filter`, oldest first within each topic.
    public func list(_ filter: DeadLetterFilter = DeadLetterFilter()) async throws -> [DeadLetter] {
        let topics = try await reader.admin.listTopics().map(\.name).filter { $0.hasPrefix(BusTopics.deadLetterPrefix) }
            .filter { topic in filter.linkage.map { topic.hasPrefix(BusTopics.ingestDeadLetters(linkage: $0)) } ?? true
            }
        var letters: [DeadLetter] = []
        for topic in topics.sorted() {
            let ends = try await reader.watermarks(topic)
            letters += try await reader.read(topic: topic, ends: ends).messages.map(Self.letter).filter(filter.matches)
        }
        return letters
    }

    /// The dead letter at `reference`; `nil` when there is none.
    public func show(_ reference: DeadLetterReference) async throws -> DeadLetter? {
        let ends = try await reader.watermarks(reference.topic)
        guard let marks = ends[reference.partition], reference.offset >= marks.low, reference.offset < marks.high else {
            return nil
        }
        let messages = try await reader.read(
            topic: reference.topic, ranges: [reference.partition: reference.offset..<(reference.offset + 1)]
        ).messages
        return messages.first.map(Self.letter)
    }

    /// The dead letters at `references`, in their order, each topic read once (one range per partition, from the
    /// lowest offset asked to the highest); references with no letter are left out.
    public func letters(_ references: [DeadLetterReference]) async throws -> [DeadLetter] {
        var found: [DeadLetterReference: DeadLetter] = [:]
        for (topic, wanted) in Dictionary(grouping: references, by: \.topic) {
            let ends = try await reader.watermarks(topic)
            var ranges: [Int32: Range<Int64>] = [:]
            for (partition, offsets) in Dictionary(grouping: wanted, by: \.partition).mapValues({ $0.map(\.offset) }) {
                guard let marks = ends[partition], let low = offsets.min(), let high = offsets.max() else { continue }
                let from = max(low, marks.low)
                let to = min(high + 1, marks.high)
                if from < to { ranges[partition] = from..<to }
            }
            let wantedSet = Set(wanted)
            for message in try await reader.read(topic: topic, ranges: ranges).messages {
                let letter = Self.letter(message)
                if wantedSet.contains(letter.reference) { found[letter.reference] = letter }
            }
        }
        return references.compactMap { found[$0] }
    }

    static func letter(_ message: TopicReader.Message) -> DeadLetter {
        DeadLetter(
            reference: DeadLetterReference(topic: message.topic, partition: message.partition, offset: message.offset),
            envelope: Envelope(headers: message.headers),
            stage: message.header(EnvelopeHeader.deadLetterStage) ?? "unknown",
            reasons: (message.header(EnvelopeHeader.deadLetterReason) ?? "").split(separator: ",").map(String.init),
            message: message.header(EnvelopeHeader.deadLetterMessage) ?? "",
            attempts: message.header(EnvelopeHeader.deadLetterAttempts).flatMap { Int($0) } ?? 0,
            originalTopic: message.header(EnvelopeHeader.deadLetterTopic),
            originalPartition: message.header(EnvelopeHeader.deadLetterPartition).flatMap { Int32($0) },
            originalOffset: message.header(EnvelopeHeader.deadLetterOffset).flatMap { Int64($0) },
            row: message.header(EnvelopeHeader.deadLetterRow).flatMap { Int($0) },
            firstFailure: message.header(EnvelopeHeader.deadLetterFirstFailure).flatMap(Timestamp.parse),
            lastFailure: message.header(EnvelopeHeader.deadLetterLastFailure).flatMap(Timestamp.parse),
            value: message.value)
    }
}
