import RenkeiKafka

/// Cuts record keys into chunk messages for `renkei.history.keys` (newline-separated UTF-8, round robin over the
/// topic's partitions), remembering each chunk's key count for the ``HistoryKeyList`` built from the
/// acknowledgements.
struct KeyListWriter {
    let topic: String
    let chunkBytes: Int
    let partitions: Int32
    private var bytes: [UInt8] = []
    private var keysInChunk = 0
    private var nextPartition: Int32 = 0
    private(set) var count = 0
    /// The keys of each chunk cut so far, in order.
    private(set) var chunkKeys: [Int] = []

    init(topic: String = BusTopics.historyKeys, chunkBytes: Int, partitions: Int) {
        self.topic = topic
        self.chunkBytes = chunkBytes
        self.partitions = Int32(max(1, partitions))
        bytes.reserveCapacity(chunkBytes + 256)
    }

    /// Appends `key`; returns a chunk message when the chunk is full. Empty keys (a record without one) are
    /// skipped: there is nothing to find them by.
    mutating func append(_ key: some StringProtocol) -> KafkaOutgoingMessage? {
        guard !key.isEmpty else { return nil }
        bytes += key.utf8
        bytes.append(0x0A)
        keysInChunk += 1
        count += 1
        return bytes.count >= chunkBytes ? cut() : nil
    }

    /// Appends a key given as UTF-8 bytes (a record's key field, without a copy into a `String`).
    mutating func append(bytes key: UnsafeRawBufferPointer) -> KafkaOutgoingMessage? {
        guard !key.isEmpty else { return nil }
        bytes.append(contentsOf: key)
        bytes.append(0x0A)
        keysInChunk += 1
        count += 1
        return bytes.count >= chunkBytes ? cut() : nil
    }

    /// The last, partly filled chunk, if any.
    mutating func finish() -> KafkaOutgoingMessage? { keysInChunk > 0 ? cut() : nil }

    private mutating func cut() -> KafkaOutgoingMessage {
        let message = KafkaOutgoingMessage(topic: topic, partition: nextPartition, value: bytes)
        bytes.removeAll(keepingCapacity: true)
        chunkKeys.append(keysInChunk)
        keysInChunk = 0
        nextPartition = (nextPartition + 1) % partitions
        return message
    }

    /// The reference to the chunks, from where they landed and their digests (in chunk order).
    func keyList(positions: [(partition: Int32, offset: Int64)], digests: [[UInt8]]) -> HistoryKeyList {
        let chunks = zip(positions, zip(chunkKeys, digests)).map { position, chunk in
            HistoryKeyList.Chunk(
                partition: position.partition, offset: position.offset, keys: chunk.0, sha256: HexText.encode(chunk.1))
        }
        return HistoryKeyList(
            topic: topic, count: count, sha256: HexText.encode(ChunkDigest.chunkList(digests)), chunks: chunks)
    }

    /// Splits a chunk's bytes into its keys.
    static func keys(in chunk: [UInt8]) -> [String] {
        chunk.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
    }
}
