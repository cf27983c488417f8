/// A streaming decoder: chunks of bytes in, batches of validated records out, memory bounded by the chunk size plus
/// one record whatever the size of the input.
public protocol RecordDecoder {
    /// The compiled layout records are decoded against.
    var schema: RecordSchema { get }
    /// Errors about the stream rather than one record (e.g. unknown CSV columns), found so far.
    var streamErrors: [RecordError] { get }
    /// How many records the decoder has handed out so far.
    var recordCount: Int { get }

    /// Decodes every record completed by `chunk` and lends them to `body` as one batch (possibly empty). A record
    /// cut by the chunk's end is kept and completed by the next chunk.
    mutating func decode(_ chunk: UnsafeRawBufferPointer, _ body: (RecordBatch) throws -> Void) rethrows

    /// Ends the stream: decodes what is left (a last record without a line break) and lends it to `body`.
    mutating func finish(_ body: (RecordBatch) throws -> Void) rethrows
}

extension RecordDecoder {
    /// Decodes a whole input held in memory and returns all its records as one batch.
    public mutating func decodeAll(_ bytes: [UInt8]) -> RecordBatch {
        // Every lent batch is copied while it is lent: its values may point into buffers that are gone afterwards.
        var result = RecordBatch(schema: schema)
        bytes.withUnsafeBytes { raw in decode(raw) { result.appendRecords(of: $0) } }
        finish { result.appendRecords(of: $0) }
        return result
    }
}

extension RecordBatch {
    /// Appends the records of `other` (same schema), copying their values.
    mutating func appendRecords(of other: RecordBatch) {
        for record in 0..<other.count {
            let errorStart = errors.count
            for item in 0..<schema.itemCount {
                let slot = other.fields[record * schema.itemCount + item]
                let start = scratch.count
                other.withValue(record: record, item: item) { scratch.append(contentsOf: $0) }
                fields.append(
                    FieldSlot(
                        start: UInt32(start),
                        bits: (slot.bits & ~FieldSlot.countMask) | FieldSlot.scratchFlag | UInt32(scratch.count - start)
                    ))
            }
            errors.append(contentsOf: other.errors(of: record))
            infos.append(
                RecordInfo(
                    number: other.infos[record].number, line: other.infos[record].line, errorStart: Int32(errorStart),
                    errorCount: other.infos[record].errorCount))
        }
    }
}
