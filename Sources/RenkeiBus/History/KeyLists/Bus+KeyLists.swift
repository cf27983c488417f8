import RenkeiKafka

extension Bus {
    /// Writes `keys` as a key list through the chunk producer (idempotent, outside any transaction) and returns
    /// the reference a history entry carries. Chunks of a provide or transfer that then fails are never referenced.
    func writeKeyList(_ keys: [String]) async throws -> HistoryKeyList {
        var writer = KeyListWriter(
            chunkBytes: configuration.bulkChunkBytes, partitions: configuration.topics.bulkPartitions)
        var messages: [KafkaOutgoingMessage] = []
        for key in keys {
            if let message = writer.append(key) { messages.append(message) }
        }
        if let message = writer.finish() { messages.append(message) }
        let report = try await chunkProducer.send(messages)
        try report.throwIfAnyFailed()
        return writer.keyList(positions: report.positions, digests: messages.map { ChunkDigest.digest($0.value) })
    }
}

/// A key list whose chunks could not be read back as written.
public struct KeyListUnavailable: Error, Sendable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var reason: String
    public var description: String { "key list chunk \(topic)/\(partition)/\(offset): \(reason)" }
}

extension TopicReader {
    /// The keys of `list`, each chunk checked against its hash; throws ``KeyListUnavailable`` naming the first
    /// chunk that is gone (retention shorter than the history's) or altered.
    func keys(of list: HistoryKeyList) async throws -> [String] {
        var keys: [String] = []
        keys.reserveCapacity(list.count)
        // One read per partition run of consecutive chunks keeps this to a few reads for a large transfer.
        var ranges: [Int32: Range<Int64>] = [:]
        for chunk in list.chunks {
            let range = ranges[chunk.partition] ?? chunk.offset..<(chunk.offset + 1)
            ranges[chunk.partition] =
                min(range.lowerBound, chunk.offset)..<max(range.upperBound, chunk.offset + 1)
        }
        let messages = try await read(topic: list.topic, ranges: ranges).messages
        var byPosition: [ChunkPosition: [UInt8]] = [:]
        for message in messages {
            byPosition[ChunkPosition(message.partition, message.offset)] = message.value
        }
        for chunk in list.chunks {
            func unavailable(_ reason: String) -> KeyListUnavailable {
                KeyListUnavailable(topic: list.topic, partition: chunk.partition, offset: chunk.offset, reason: reason)
            }
            guard let bytes = byPosition[ChunkPosition(chunk.partition, chunk.offset)] else {
                throw unavailable("the chunk is no longer in the topic")
            }
            guard HexText.encode(ChunkDigest.digest(bytes)) == chunk.sha256 else {
                throw unavailable("the chunk does not match its SHA-256: it was altered")
            }
            let chunkKeys = KeyListWriter.keys(in: bytes)
            guard chunkKeys.count == chunk.keys else {
                throw unavailable("the chunk holds \(chunkKeys.count) keys, not \(chunk.keys)")
            }
            keys += chunkKeys
        }
        return keys
    }
}

/// A chunk's position, as a dictionary key.
struct ChunkPosition: Hashable {
    var partition: Int32
    var offset: Int64
    init(_ partition: Int32, _ offset: Int64) {
        self.partition = partition
        self.offset = offset
    }
}

extension KafkaDeliveryReport {
    /// Where each message landed, in order (partition -1 and offset -1 for a failed one).
    var positions: [(partition: Int32, offset: Int64)] {
        map { outcome in
            if case .delivered(let partition, let offset) = outcome { return (partition, offset) }
            return (-1, -1)
        }
    }
}
