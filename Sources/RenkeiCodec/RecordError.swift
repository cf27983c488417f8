public import RenkeiContracts

/// One finding of the codec: where (record, line, item or column) and why (a stable reason code).
///
/// It never carries the offending value: records hold personal data and errors end up in logs and reports.
public struct RecordError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based number of the record in its stream (CSV: data rows after the header); 0 for the CSV header.
    public var record: Int
    /// The 1-based line of the input where the record starts.
    public var line: Int
    /// The position of the item in `layout.items`, when the error concerns a known item.
    public var item: Int?
    /// The 1-based CSV column, when the error concerns a CSV column (e.g. an unknown header name).
    public var column: Int?
    public var reason: ErrorReason

    public init(record: Int, line: Int, item: Int? = nil, column: Int? = nil, reason: ErrorReason) {
        self.record = record
        self.line = line
        self.item = item
        self.column = column
        self.reason = reason
    }

    public var description: String {
        var text = "record \(record) (line \(line))"
        if let item { text += " item #\(item + 1)" }
        if let column { text += " column \(column)" }
        return text + ": \(reason.rawValue)"
    }

    /// The same, naming the item by its key and name in `layout`.
    public func description(in layout: Layout) -> String {
        var text = "record \(record) (line \(line))"
        if let item, item < layout.items.count {
            text += " \(layout.items[item].key) (\(layout.items[item].name))"
        }
        if let column { text += " column \(column)" }
        return text + ": \(reason.rawValue) — \(reason.summary)"
    }
}
