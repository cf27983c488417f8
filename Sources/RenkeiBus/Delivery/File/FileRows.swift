import RenkeiCodec
import RenkeiContracts
import RenkeiStorage

/// Turns a receiver's records (its projected JSON, as on its outbound topic and in transfer chunks, or rows kept in
/// its state) into the rows of its CSV file — UTF-8, a header row of item names in layout order, RFC 4180 quoting,
/// CRLF — and streams them into an object writer in pieces of about `pieceBytes`, so memory stays bounded for any
/// file size.
struct FileRows {
    let writer: any ObjectWriter
    /// The receiver's items as a layout: the file's columns.
    let layout: Layout
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

    init(writer: any ObjectWriter, projection: Projection, keyItem: String, pieceBytes: Int = 4 << 20) {
        // The receiver's items form the layout of its file: records hold exactly those items.
        let layout = Layout(
            id: projection.layout.id, version: projection.layout.version, title: projection.layout.title,
            items: projection.items)
        self.writer = writer
        self.layout = layout
        self.decoder = JSONRecordDecoder(schema: RecordSchema(layout: layout))
        self.encoder = CSVRecordEncoder(layout: layout, headerStyle: .names, lineEnding: .crlf)
        self.keyItem = layout.index(of: keyItem)
        self.buffer = ByteWriter(capacity: pieceBytes + 64 * 1024)
        self.pieceBytes = pieceBytes
        encoder.encodeHeader(into: buffer)
    }

    /// Appends records given as JSON Lines (a transfer chunk) or one JSON object (a single record).
    mutating func append(jsonLines bytes: [UInt8]) async throws {
        bytes.withUnsafeBytes { append(jsonLines: $0) }
        try await flushIfFull()
    }

    /// Appends records given as JSON Lines or one JSON object; the caller flushes (``flushIfFull()``).
    mutating func append(jsonLines bytes: UnsafeRawBufferPointer) {
        var batches: [RecordBatch] = []
        decoder.decode(bytes) { batches.append($0) }
        if bytes.last != 0x0A {
            [UInt8(0x0A)].withUnsafeBytes { raw in decoder.decode(raw) { batches.append($0) } }
        }
        for batch in batches { append(batch) }
    }

    /// Appends one record given as a JSON object, decoded on its own (a state value written before rows were kept
    /// encoded); the caller flushes.
    mutating func append(jsonObject bytes: UnsafeRawBufferPointer) {
        var decoder = JSONRecordDecoder(schema: RecordSchema(layout: layout))
        append(decoder.decodeAll(Array(bytes)))
    }

    /// Appends a row already encoded for these columns (CSV, CRLF-terminated), whose record has `key`; the caller
    /// flushes.
    mutating func append(row: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer) {
        buffer.writeBytes(row)
        records += 1
        keys.append(String(decoding: key, as: UTF8.self))
    }

    /// Appends every record of `batch` (of ``layout``); the caller flushes.
    mutating func append(_ batch: RecordBatch) {
        for record in 0..<batch.count {
            // Values are written as stored; a record the bus itself wrote does not fail its own projection, but
            // if one ever did, the row is still written rather than silently dropped, and counted.
            if !batch.isValid(record) { unreadable += 1 }
            encoder.encode(batch, record: record, into: buffer)
            records += 1
            if let keyItem, let key = batch.value(record: record, item: keyItem) { keys.append(key) }
        }
    }

    /// Writes the buffer out once it holds a piece.
    mutating func flushIfFull() async throws {
        if buffer.count >= pieceBytes { try await flush() }
    }

    /// Writes what is buffered to the object.
    mutating func flush() async throws {
        guard buffer.count > 0 else { return }
        let piece = buffer.bytes
        buffer.clear()
        try await writer.write(piece)
    }
}
