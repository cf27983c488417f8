import RenkeiCodec
import RenkeiContracts
import RenkeiStorage

/// Turns a receiver's records (its projected JSON, as on its outbound topic and in transfer chunks) into the rows
/// of its CSV file — UTF-8, a header row of item names in layout order, RFC 4180 quoting, CRLF — and streams them
/// into an object writer in pieces of about `pieceBytes`, so memory stays bounded for any file size.
struct FileRows {
    let writer: any ObjectWriter
    private var decoder: JSONRecordDecoder
    private let encoder: CSVRecordEncoder
    private let keyItem: Int?
    private let buffer: ByteWriter
    private let pieceBytes: Int
    private(set) var records = 0
    /// The keys of the rows written, for the history (one key list for a large file).
    private(set) var keys: [String] = []
    /// Records that did not read back as the receiver's projection (never expected: the bus wrote them).
    private(set) var unreadable = 0

    init(writer: any ObjectWriter, projection: Projection, keyItem: String, pieceBytes: Int = 1 << 20) {
        // The receiver's items form the layout of its file: records hold exactly those items.
        let layout = Layout(
            id: projection.layout.id, version: projection.layout.version, title: projection.layout.title,
            items: projection.items)
        self.writer = writer
        self.decoder = JSONRecordDecoder(schema: RecordSchema(layout: layout))
        self.encoder = CSVRecordEncoder(layout: layout, headerStyle: .names, lineEnding: .crlf)
        self.keyItem = layout.index(of: keyItem)
        self.buffer = ByteWriter(capacity: pieceBytes + 64 * 1024)
        self.pieceBytes = pieceBytes
        encoder.encodeHeader(into: buffer)
    }

    /// Appends records given as JSON Lines (a transfer chunk) or one JSON object (a single record).
    mutating func append(jsonLines bytes: [UInt8]) async throws {
        var batches: [RecordBatch] = []
        bytes.withUnsafeBytes { raw in decoder.decode(raw) { batches.append($0) } }
        if bytes.last != 0x0A {
            [UInt8(0x0A)].withUnsafeBytes { raw in decoder.decode(raw) { batches.append($0) } }
        }
        for batch in batches { take(batch) }
        if buffer.count >= pieceBytes { try await flush() }
    }

    private mutating func take(_ batch: RecordBatch) {
        for record in 0..<batch.count {
            // Values are written as stored; a record the bus itself wrote does not fail its own projection, but
            // if one ever did, the row is still written rather than silently dropped, and counted.
            if !batch.isValid(record) { unreadable += 1 }
            encoder.encode(batch, record: record, into: buffer)
            records += 1
            if let keyItem, let key = batch.value(record: record, item: keyItem) { keys.append(key) }
        }
    }

    /// Writes what is buffered to the object.
    mutating func flush() async throws {
        guard buffer.count > 0 else { return }
        let piece = buffer.bytes
        buffer.clear()
        try await writer.write(piece)
    }
}
