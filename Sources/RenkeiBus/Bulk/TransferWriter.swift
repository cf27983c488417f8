import Crypto
import Foundation
import RenkeiCodec
import RenkeiContracts
import RenkeiKafka

/// One receiver's side of a bulk transfer: its projected records as JSON Lines, cut into chunk messages for the
/// bulk topic, with the running hash and the list of chunks its manifest will point at.
struct TransferWriter {
    let destination: LinkageRoute.Destination
    let chunkBytes: Int
    let partitions: Int32
    private let writer: ByteWriter
    private var recordsInChunk = 0
    private var hasher = SHA256()
    private var nextPartition: Int32 = 0
    private(set) var records = 0
    /// Chunks sent so far, in order, with the records each holds and its hash (offsets arrive with acks).
    private(set) var pending: [(records: Int, sha256: String)] = []

    init(destination: LinkageRoute.Destination, chunkBytes: Int, partitions: Int) {
        self.destination = destination
        self.chunkBytes = chunkBytes
        self.partitions = Int32(max(1, partitions))
        self.writer = ByteWriter(capacity: chunkBytes + 64 * 1024)
    }

    /// Appends record `record` of `batch`; returns a chunk message when the chunk is full.
    mutating func append(_ batch: RecordBatch, record: Int, headers: [KafkaHeader]) -> KafkaOutgoingMessage? {
        destination.lineEncoder.encode(batch, record: record, into: writer)
        recordsInChunk += 1
        records += 1
        return writer.count >= chunkBytes ? cut(headers: headers) : nil
    }

    /// The last, partly filled chunk, if any.
    mutating func finish(headers: [KafkaHeader]) -> KafkaOutgoingMessage? {
        recordsInChunk > 0 ? cut(headers: headers) : nil
    }

    private mutating func cut(headers: [KafkaHeader]) -> KafkaOutgoingMessage {
        let bytes = writer.bytes
        writer.clear()
        hasher.update(data: bytes)
        pending.append((recordsInChunk, FeedReader.sha256(bytes)))
        recordsInChunk = 0
        let partition = nextPartition
        nextPartition = (nextPartition + 1) % partitions
        return KafkaOutgoingMessage(topic: destination.bulkTopic, partition: partition, value: bytes, headers: headers)
    }

    /// The hash of every chunk so far, in order.
    var sha256: String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
}
