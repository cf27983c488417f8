import Logging
import RenkeiKafka

/// Reads a receiver's feed from a cursor: its records, and the records of each completed bulk transfer through
/// the transfer's manifest. This is the standard's PULL method, and how the demo shows what each receiver got.
public struct FeedReader: Sendable {
    let reader: TopicReader
    let tails: FeedTails

    public init(bus: Bus) {
        self.reader = TopicReader(bus: bus)
        self.tails = bus.feedTails
    }

    /// Waits until records after `cursor` are committed for the receiver, or until `deadline`: a long poll. The
    /// receiver's topic is followed by one long-lived consumer shared by every waiting request, which wakes them
    /// as soon as it sees new records; nothing is re-read on a timer.
    public func waitForRecords(
        linkage: String, receiver: String, after cursor: FeedCursor, until deadline: ContinuousClock.Instant
    ) async throws {
        let topic = BusTopics.outbound(linkage: linkage, receiver: receiver)
        guard let tail = try await tails.follow(topic) else {
            // Every tail slot is taken: fall back to looking again shortly.
            try await Task.sleep(for: min(.milliseconds(200), deadline - .now))
            return
        }
        await tail.waitForRecords(after: cursor.offsets, until: deadline)
    }

    /// Up to `limit` deliveries after `cursor`, and the cursor to continue from. Throws ``FeedCursorExpired``
    /// when the cursor points below what the topic still retains: records were removed before the receiver read
    /// them, and skipping them silently would lose them.
    public func read(
        linkage: String, receiver: String, after cursor: FeedCursor = .start, limit: Int = 500
    )
        async throws -> FeedPage
    {
        let topic = BusTopics.outbound(linkage: linkage, receiver: receiver)
        var start = cursor.offsets
        if let transfer = cursor.transfer { start[transfer.partition] = transfer.offset }
        let read: TopicReader.Result
        let ends: [Int32: KafkaWatermarks]
        if let cached = tails.existing(topic)?.read(from: start, limit: limit) {
            // A cursor near the head: answered from the records the topic's follower holds.
            (read, ends) = cached
        } else {
            ends = try await reader.watermarks(topic)
            let gaps = RetentionGap.find(from: start, ends: ends)
            guard gaps.isEmpty else { throw FeedCursorExpired(linkage: linkage, receiver: receiver, gaps: gaps) }
            read = try await reader.read(topic: topic, from: start, limit: limit, ends: ends)
        }
        var deliveries: [ReceivedRecord] = []
        var next = cursor
        next.transfer = nil
        var unfinished: Set<Int32> = []
        for message in read.messages {
            if deliveries.count >= limit || !unfinished.isEmpty {
                unfinished.insert(message.partition)
                continue
            }
            guard let envelope = Envelope(headers: message.headers) else {
                next.offsets[message.partition] = message.offset + 1
                continue
            }
            if envelope.type == .transferManifest {
                let manifest = try Self.manifest(of: message, envelope: envelope)
                let skip =
                    cursor.transfer.flatMap {
                        $0.partition == message.partition && $0.offset == message.offset ? $0.delivered : nil
                    }
                    ?? 0
                let records = try await transferRecords(
                    manifest, envelope: envelope, at: message, skip: skip, limit: limit - deliveries.count)
                deliveries += records
                if skip + records.count < manifest.records {
                    next.transfer = .init(
                        partition: message.partition, offset: message.offset, delivered: skip + records.count)
                    unfinished.insert(message.partition)
                    continue
                }
            } else if envelope.type == .record {
                deliveries.append(
                    ReceivedRecord(
                        envelope: envelope, key: envelope.subject, value: message.value, partition: message.partition,
                        offset: message.offset))
            }
            next.offsets[message.partition] = message.offset + 1
        }
        // A partition read to its end continues from the end, past any markers after its last record; one cut
        // short continues after its last record handed out.
        for (partition, offset) in read.next where !unfinished.contains(partition) {
            next.offsets[partition] = max(next.offsets[partition] ?? offset, offset)
        }
        let hasMore = ends.contains { partition, marks in (next.offsets[partition] ?? marks.low) < marks.high }
        return FeedPage(deliveries: deliveries, next: next, hasMore: hasMore)
    }

    /// The manifest a manifest event carries. One that cannot be read fails the read, naming where it is: skipping
    /// it would silently drop a whole committed transfer.
    static func manifest(of message: TopicReader.Message, envelope: Envelope) throws -> TransferManifest {
        guard let manifest = TransferManifest.decode(message.value) else {
            throw TransferIntegrityError(
                transfer: envelope.transfer ?? "(unnamed)",
                problem: "its manifest at \(message.topic) \(message.partition)/\(message.offset) cannot be read")
        }
        return manifest
    }

    /// The records of a transfer from position `skip`, reading only the chunks needed and checking each chunk
    /// against the manifest's hash (and the manifest's chunk list against its chunk-list hash).
    func transferRecords(
        _ manifest: TransferManifest, envelope: Envelope, at message: TopicReader.Message, skip: Int, limit: Int
    ) async throws -> [ReceivedRecord] {
        var first = 0
        var index = 0
        var chunks: [TransferManifest.Chunk] = []
        var needed = 0
        for chunk in manifest.chunks {
            if index + chunk.records <= skip {
                index += chunk.records
                continue
            }
            if chunks.isEmpty { first = index }
            chunks.append(chunk)
            needed += chunk.records
            if first + needed - skip >= limit { break }
        }
        guard !chunks.isEmpty else { return [] }
        var deliveries: [ReceivedRecord] = []
        var position = first
        try await TransferChunks(reader: reader).forEach(manifest, chunks: chunks[...]) { bytes in
            for line in bytes.split(separator: 0x0A) {
                defer { position += 1 }
                guard position >= skip, deliveries.count < limit else { continue }
                deliveries.append(
                    ReceivedRecord(
                        envelope: envelope, key: nil, value: Array(line), partition: message.partition,
                        offset: message.offset, transfer: manifest.transfer, transferIndex: position))
            }
        }
        return deliveries
    }
}

/// A transfer's stored records do not match its manifest: they were lost or altered after the manifest was written.
public struct TransferIntegrityError: Error, Sendable, CustomStringConvertible {
    public var transfer: String
    public var problem: String
    public var description: String { "transfer \(transfer): \(problem)" }
}
