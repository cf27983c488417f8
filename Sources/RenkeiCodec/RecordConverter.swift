public import RenkeiContracts

/// Re-encodes decoded records in another format, validating as it goes: valid records are written, invalid ones
/// are counted and skipped (their errors stay in the batch for reporting).
///
/// With a legacy output encoding (CP932, Shift_JIS) each record is written in it; a record holding a character the
/// encoding cannot hold is skipped too, and reported in ``encodingErrors`` with its record, line and item.
public struct RecordConverter {
    public let format: RecordFormat
    /// The encoding written.
    public let outputEncoding: TextEncoding
    private let projection: Projection
    private let json: JSONRecordEncoder
    private let csv: CSVRecordEncoder
    private let encoder: LegacyTextEncoder?
    /// Where a record is written in UTF-8 before it is encoded.
    private let utf8 = ByteWriter()
    private var wroteHeader = false
    /// Records written so far.
    public private(set) var written = 0
    /// Invalid records skipped so far, those with characters the output encoding cannot hold among them.
    public private(set) var skipped = 0
    /// The first `unencodable` errors (at most ``encodingErrorLimit``); ``unencodableCount`` counts them all.
    public private(set) var encodingErrors: [RecordError] = []
    /// How many items held a character the output encoding cannot hold.
    public private(set) var unencodableCount = 0
    /// How many `unencodable` errors ``encodingErrors`` keeps.
    public var encodingErrorLimit = 100

    /// A converter writing `projection`'s items in `format` and `outputEncoding`; CSV starts with a header row in
    /// `headerStyle`.
    public init(
        projection: Projection, format: RecordFormat, headerStyle: CSVRecordEncoder.HeaderStyle = .names,
        lineEnding: CSVRecordEncoder.LineEnding = .crlf, outputEncoding: TextEncoding = .utf8
    ) {
        self.format = format
        self.outputEncoding = outputEncoding
        self.projection = projection
        self.json = JSONRecordEncoder(projection: projection, lineTerminated: true)
        self.csv = CSVRecordEncoder(projection: projection, headerStyle: headerStyle, lineEnding: lineEnding)
        self.encoder = outputEncoding == .utf8 ? nil : LegacyTextEncoder(encoding: outputEncoding)
    }

    /// Appends the valid records of `batch` to `writer`.
    public mutating func convert(_ batch: RecordBatch, into writer: ByteWriter) {
        writeHeaderOnce(into: writer)
        for record in 0..<batch.count {
            guard batch.isValid(record) else {
                skipped += 1
                continue
            }
            guard let encoder else {
                encode(batch, record: record, into: writer)
                written += 1
                continue
            }
            utf8.clear()
            encode(batch, record: record, into: utf8)
            let start = writer.count
            if utf8.withUnsafeBytes({ encoder.encode($0, into: writer) }) {
                written += 1
            } else {
                writer.truncate(to: start)
                skipped += 1
                reportUnencodable(batch, record: record, encoder: encoder)
            }
        }
    }

    /// Writes the CSV header if no batch came (an empty input still gives a header).
    public mutating func finish(into writer: ByteWriter) {
        writeHeaderOnce(into: writer)
    }

    private mutating func writeHeaderOnce(into writer: ByteWriter) {
        guard format == .csv && !wroteHeader else { return }
        wroteHeader = true
        guard let encoder else { return csv.encodeHeader(into: writer) }
        utf8.clear()
        csv.encodeHeader(into: utf8)
        let start = writer.count
        if !utf8.withUnsafeBytes({ encoder.encode($0, into: writer) }) {
            // An item name the encoding cannot hold: the keys are ASCII.
            writer.truncate(to: start)
            CSVRecordEncoder(projection: projection, headerStyle: .keys, lineEnding: csv.lineEnding)
                .encodeHeader(into: writer)
        }
    }

    private func encode(_ batch: RecordBatch, record: Int, into writer: ByteWriter) {
        switch format {
        case .csv: csv.encode(batch, record: record, into: writer)
        case .jsonl: json.encode(batch, record: record, into: writer)
        }
    }

    /// Names each item of the record that the encoding cannot hold (not on the path of records that encode).
    private mutating func reportUnencodable(_ batch: RecordBatch, record: Int, encoder: LegacyTextEncoder) {
        var items: [Int?] = projection.itemIndices.filter {
            !batch.withValue(record: record, item: $0, encoder.canEncode)
        }
        if items.isEmpty { items = [nil] }  // not a value, so what the format wrote around them
        for item in items {
            unencodableCount += 1
            guard encodingErrors.count < encodingErrorLimit else { continue }
            encodingErrors.append(
                RecordError(
                    record: batch.recordNumber(record), line: batch.line(record), item: item, reason: .unencodable))
        }
    }
}
