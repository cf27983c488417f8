public import RenkeiContracts

/// The outcome of checking an export against a layout (the role of the national conformance test, 適合確認).
public struct ConformanceReport: Sendable {
    public var layout: LayoutReference
    /// The records read.
    public var records = 0
    public var valid = 0
    public var invalid = 0
    /// Every error counted by reason, including those beyond `errors`.
    public var countsByReason: [ErrorReason: Int] = [:]
    /// Errors about the file as a whole, e.g. unknown CSV columns (record 0).
    public var streamErrors: [RecordError] = []
    /// The first errors of records, in input order, at most the checker's limit.
    public var errors: [RecordError] = []
    /// How many record errors there were in all.
    public var totalErrors = 0

    /// Whether the export conforms: every record valid and no file-level error.
    public var conforms: Bool { invalid == 0 && streamErrors.isEmpty }
}

/// Accumulates batches into a `ConformanceReport`.
public struct ConformanceChecker {
    public let schema: RecordSchema
    /// How many record errors the report lists (all are counted).
    public let errorLimit: Int
    private var report: ConformanceReport

    public init(schema: RecordSchema, errorLimit: Int = 100) {
        self.schema = schema
        self.errorLimit = errorLimit
        self.report = ConformanceReport(layout: schema.layout.reference)
    }

    /// Counts one batch.
    public mutating func add(_ batch: RecordBatch) {
        report.records += batch.count
        let invalid = batch.invalidCount
        report.invalid += invalid
        report.valid += batch.count - invalid
        report.totalErrors += batch.errors.count
        for error in batch.errors {
            report.countsByReason[error.reason, default: 0] += 1
            if report.errors.count < errorLimit { report.errors.append(error) }
        }
    }

    /// The report, with the decoder's stream errors.
    public func finish(streamErrors: [RecordError]) -> ConformanceReport {
        var report = self.report
        report.streamErrors = streamErrors
        for error in streamErrors { report.countsByReason[error.reason, default: 0] += 1 }
        return report
    }
}

extension ConformanceReport {
    /// The report for people: counts, counts per reason, then the first errors with record, line and item.
    public func text(layout: Layout, file: String) -> String {
        var lines = [
            "\(self.layout) \(file): " + (conforms ? "conforms" : "does not conform"),
            "records: \(records), valid: \(valid), invalid: \(invalid)",
        ]
        if !countsByReason.isEmpty {
            lines.append("errors by reason:")
            for (reason, count) in sortedCounts {
                lines.append("  \(reason.rawValue.padding(16)) \(count)  \(reason.summary)")
            }
        }
        for error in streamErrors { lines.append("file: " + error.description(in: layout)) }
        if !errors.isEmpty {
            lines.append(errors.count < totalErrors ? "first \(errors.count) of \(totalErrors) errors:" : "errors:")
            for error in errors { lines.append("  " + error.description(in: layout)) }
        }
        return lines.joined(separator: "\n")
    }

    /// The report for tools: `{"layout", "file", "conforms", "records", "valid", "invalid", "counts",
    /// "totalErrors", "errors": [{"row", "line", "item", "column", "code"}]}`; file-level errors come first with
    /// row 0. `item` is the field key, or null.
    public func json(layout: Layout, file: String) -> String {
        var out = "{"
        out += "\"layout\":" + JSONText.string(self.layout.description)
        out += ",\"file\":" + JSONText.string(file)
        out += ",\"conforms\":\(conforms)"
        out += ",\"records\":\(records),\"valid\":\(valid),\"invalid\":\(invalid)"
        out += ",\"counts\":{"
        out += sortedCounts.map { JSONText.string($0.0.rawValue) + ":\($0.1)" }.joined(separator: ",")
        out += "},\"totalErrors\":\(totalErrors + streamErrors.count),\"errors\":["
        out += (streamErrors + errors).map { error in
            var fields = ["\"row\":\(error.record)", "\"line\":\(error.line)"]
            if let item = error.item, item < layout.items.count {
                fields.append("\"item\":" + JSONText.string(layout.items[item].key))
            } else {
                fields.append("\"item\":null")
            }
            if let column = error.column { fields.append("\"column\":\(column)") }
            fields.append("\"code\":" + JSONText.string(error.reason.rawValue))
            return "{" + fields.joined(separator: ",") + "}"
        }.joined(separator: ",")
        out += "]}"
        return out
    }

    private var sortedCounts: [(ErrorReason, Int)] {
        countsByReason.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

/// JSON string literals for reports (not the hot path).
enum JSONText {
    static func string(_ text: String) -> String {
        "\"" + String(decoding: JSONEscaping.escaped(Array(text.utf8)), as: UTF8.self) + "\""
    }
}

extension ConformanceChecker {
    /// Checks the file at `path` (`-` for standard input) against `schema`, streaming; `progress` is called after
    /// every chunk. Throws `FileReadError` when the file cannot be read, `EncodingMismatch` when it is evidently not
    /// in `encoding`.
    public static func check(
        path: String, format: RecordFormat, schema: RecordSchema, encoding: TextEncoding = .utf8,
        errorLimit: Int = 100, progress: (DecodingProgress) -> Void = { _ in }
    ) throws -> ConformanceReport {
        var checker = ConformanceChecker(schema: schema, errorLimit: errorLimit)
        let streamErrors = try format.decodeFile(path: path, schema: schema, encoding: encoding, progress: progress) {
            checker.add($0)
        }
        return checker.finish(streamErrors: streamErrors)
    }
}
