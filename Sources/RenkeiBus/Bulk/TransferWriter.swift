import Foundation
import RenkeiCodec
import RenkeiContracts
import RenkeiKafka

/// One receiver's side of a bulk transfer: its projected records as JSON Lines, cut into chunk messages for the
/// bulk topic, with the record count of each chunk its manifest will point at. Chunks are hashed where they are
/// sent (``ChunkDigest``), off the task that decodes the input.
struct TransferWriter {
    let destination: LinkageRoute.Destination
    let chunkBytes: Int
    let partitions: Int32
    private let writer: ByteWriter
    private var recordsInChunk = 0
    private var nextPartition: Int32 = 0
    private(set) var records = 0
    /// The records of each chunk cut so far, in order (offsets and hashes arrive with the acknowledgements).
    private(set) var chunkRecords: [Int] = []

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
        chunkRecords.append(recordsInChunk)
        recordsInChunk = 0
        let partition = nextPartition
        nextPartition = (nextPartition + 1) % partitions
        return KafkaOutgoingMessage(topic: destination.bulkTopic, partition: partition, value: bytes, headers: headers)
    }
}
