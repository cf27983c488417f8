/// Records decoded and validated in one pass, in input order, with their errors.
///
/// A batch is what a decoder hands out per chunk. Values stay where they were in the input (no copy per field);
/// encoders read them from here, for any projection. Decoders lend a batch to a closure and reuse its storage for
/// the next chunk, so keeping a batch beyond the closure costs a copy of its storage.
public struct RecordBatch {
    /// The compiled layout of the records.
    public let schema: RecordSchema
    var bytes: [UInt8]
    var scratch: [UInt8]
    var fields: [FieldSlot]
    var infos: [RecordInfo]
    /// All errors of the batch's records, in record order.
    public internal(set) var errors: [RecordError]

    /// An empty batch for records of `schema`, e.g. to build records from values with `append(values:)`.
    public init(schema: RecordSchema) {
        self.schema = schema
        self.bytes = []
        self.scratch = []
        self.fields = []
        self.infos = []
        self.errors = []
    }

    /// The number of records.
    public var count: Int { infos.count }
    /// Whether the batch has no records.
    public var isEmpty: Bool { infos.isEmpty }
    /// How many records have at least one error.
    public var invalidCount: Int { infos.reduce(0) { $0 + ($1.errorCount > 0 ? 1 : 0) } }

    /// Whether record `record` (0-based in this batch) passed every check.
    @inline(__always)
    public func isValid(_ record: Int) -> Bool { infos[record].errorCount == 0 }

    /// The errors of record `record`.
    public func errors(of record: Int) -> ArraySlice<RecordError> {
        let info = infos[record]
        return errors[Int(info.errorStart)..<Int(info.errorStart + info.errorCount)]
    }

    /// The 1-based number of the record in its stream.
    public func recordNumber(_ record: Int) -> Int { infos[record].number }

    /// The 1-based input line where the record starts.
    public func line(_ record: Int) -> Int { infos[record].line }

    /// Whether the item has a non-empty value (absent, empty and JSON `null` are all "no value").
    public func hasValue(record: Int, item: Int) -> Bool {
        fields[record &* schema.itemCount &+ item].count > 0
    }

    /// Calls `body` with the bytes of one value (empty when absent), valid only during the call.
    public func withValue<R>(record: Int, item: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let slot = fields[record * schema.itemCount + item]
        let storage = slot.inScratch ? scratch : bytes
        return try storage.withUnsafeBytes { raw in
            try body(UnsafeRawBufferPointer(rebasing: raw[Int(slot.start)..<Int(slot.start) + slot.count]))
        }
    }

    /// One value as a `String`, `nil` when absent or empty. Allocates: for tests, tools and reports, not hot paths.
    public func value(record: Int, item: Int) -> String? {
        guard hasValue(record: record, item: item) else { return nil }
        return withValue(record: record, item: item) { String(decoding: $0, as: UTF8.self) }
    }

    /// All values of one record in layout order, `nil` where absent.
    public func values(record: Int) -> [String?] {
        (0..<schema.itemCount).map { value(record: record, item: $0) }
    }
}
