import RenkeiCodec
import RenkeiContracts

/// Turns a receiver's records (its projected JSON: a transfer chunk's lines, or one record) into state records:
/// each record's key and its row as ``StateRows`` keeps it (marker, columns digest, CSV row).
struct StateRecords {
    let keyItem: Int
    private var decoder: JSONRecordDecoder
    private let encoder: CSVRecordEncoder
    private let prefix: [UInt8]
    private let row = ByteWriter(capacity: 4096)

    init(layout: Layout, keyItem: String, rows: StateRows) {
        self.keyItem = layout.index(of: keyItem) ?? 0
        self.decoder = JSONRecordDecoder(schema: RecordSchema(layout: layout))
        self.encoder = CSVRecordEncoder(layout: layout, headerStyle: .names, lineEnding: .crlf)
        self.prefix = rows.prefix
    }

    /// Each record of the chunk with its key; a chunk whose lines do not read back one record each, with a key,
    /// fails rather than losing a record from the state.
    mutating func split(_ chunk: [UInt8], transfer: String) throws -> [(key: [UInt8], value: [UInt8])] {
        var lines = 0
        var lineStart = true
        for byte in chunk {
            if byte == 0x0A {
                lineStart = true
            } else if lineStart {
                lines += 1
                lineStart = false
            }
        }
        let batch = decoder.decodeAll(chunk)
        var keyed: [(key: [UInt8], value: [UInt8])] = []
        keyed.reserveCapacity(lines)
        for record in 0..<min(batch.count, lines) {
            guard batch.hasValue(record: record, item: keyItem) else { break }
            keyed.append(encode(batch, record: record))
        }
        guard keyed.count == lines, batch.count == lines else {
            throw TransferIntegrityError(
                transfer: transfer, problem: "a chunk's records do not read back one per line with their keys")
        }
        return keyed
    }

    /// A single record (one JSON object) under `key`, the subject it was provided with.
    mutating func record(_ json: [UInt8], key: String, event: String) throws -> (key: [UInt8], value: [UInt8]) {
        let batch = decoder.decodeAll(json)
        guard batch.count == 1 else {
            throw TransferIntegrityError(transfer: event, problem: "a record does not read back as one record")
        }
        return (Array(key.utf8), encode(batch, record: 0).value)
    }

    private func encode(_ batch: RecordBatch, record: Int) -> (key: [UInt8], value: [UInt8]) {
        row.clear()
        row.writeBytes(prefix)
        encoder.encode(batch, record: record, into: row)
        let key = batch.withValue(record: record, item: keyItem) { Array($0) }
        return (key, row.bytes)
    }
}
