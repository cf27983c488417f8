/// The record file formats the codec reads and writes.
public enum RecordFormat: String, Sendable, CaseIterable {
    /// RFC 4180 CSV with a header row, UTF-8.
    case csv
    /// JSON Lines: one JSON object per line.
    case jsonl

    /// The format a file name suggests: `.csv` is CSV; `.jsonl`, `.ndjson` and `.json` are JSON Lines.
    public init?(path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") {
            self = .csv
        } else if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") {
            self = .jsonl
        } else {
            return nil
        }
    }

    /// A streaming decoder of this format for `schema`.
    public func makeDecoder(schema: RecordSchema) -> any RecordDecoder {
        switch self {
        case .csv: CSVRecordDecoder(schema: schema)
        case .jsonl: JSONRecordDecoder(schema: schema)
        }
    }
}
