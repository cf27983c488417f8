public import RenkeiContracts

/// Re-encodes decoded records in another format, validating as it goes: valid records are written, invalid ones
/// are counted and skipped (their errors stay in the batch for reporting).
public struct RecordConverter {
    public let format: RecordFormat
    private let json: JSONRecordEncoder
    private let csv: CSVRecordEncoder
    private var wroteHeader = false
    /// Records written so far.
    public private(set) var written = 0
    /// Invalid records skipped so far.
    public private(set) var skipped = 0

    /// A converter writing `projection`'s items in `format`; CSV starts with a header row in `headerStyle`.
    public init(
        projection: Projection, format: RecordFormat, headerStyle: CSVRecordEncoder.HeaderStyle = .names,
        lineEnding: CSVRecordEncoder.LineEnding = .crlf
    ) {
        self.format = format
        self.json = JSONRecordEncoder(projection: projection, lineTerminated: true)
        self.csv = CSVRecordEncoder(projection: projection, headerStyle: headerStyle, lineEnding: lineEnding)
    }

    /// Appends the valid records of `batch` to `writer`.
    public mutating func convert(_ batch: RecordBatch, into writer: ByteWriter) {
        if format == .csv && !wroteHeader {
            csv.encodeHeader(into: writer)
            wroteHeader = true
        }
        for record in 0..<batch.count {
            guard batch.isValid(record) else {
                skipped += 1
                continue
            }
            switch format {
            case .csv: csv.encode(batch, record: record, into: writer)
            case .jsonl: json.encode(batch, record: record, into: writer)
            }
            written += 1
        }
    }

    /// Writes the CSV header if no batch came (an empty input still gives a header).
    public mutating func finish(into writer: ByteWriter) {
        if format == .csv && !wroteHeader {
            csv.encodeHeader(into: writer)
            wroteHeader = true
        }
    }
}
