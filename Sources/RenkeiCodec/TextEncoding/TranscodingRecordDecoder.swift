public import RenkeiContracts

/// A record decoder for files in any ``TextEncoding``: it checks the start of the input for an evident encoding
/// mismatch, decodes CP932 or Shift_JIS to UTF-8 as it streams, and hands the UTF-8 to the format's decoder.
///
/// This is the one place record files meet encodings (conform, convert, the bulk route and inbox files all decode
/// through it). A byte sequence the encoding cannot decode is reported as `undecodable` at its record, line and
/// item. After a mismatch nothing is decoded: ``mismatch`` says why and ``streamErrors`` holds one
/// `wrong-encoding` error, so a caller reports one error instead of one per item.
public struct TranscodingRecordDecoder: RecordDecoder {
    public let encoding: TextEncoding
    private var inner: any RecordDecoder
    private var text: LegacyTextDecoder?
    private var sniffing = true
    private var seenBytes = false
    /// The evident mismatch found at the start of the input, if any.
    public private(set) var mismatch: EncodingMismatch?

    /// A decoder of `format` records in `encoding`.
    public init(format: RecordFormat, schema: RecordSchema, encoding: TextEncoding) {
        self.encoding = encoding
        self.inner = format.makeDecoder(schema: schema)
        self.text = encoding == .utf8 ? nil : LegacyTextDecoder(encoding: encoding)
    }

    public var schema: RecordSchema { inner.schema }
    public var recordCount: Int { inner.recordCount }

    public var streamErrors: [RecordError] {
        if mismatch != nil { return [RecordError(record: 0, line: 1, reason: .wrongEncoding)] }
        return text == nil ? inner.streamErrors : inner.streamErrors.map(Self.renamed)
    }

    public mutating func decode(_ chunk: UnsafeRawBufferPointer, _ body: (RecordBatch) throws -> Void) rethrows {
        if sniffing && chunk.count > 0 {
            mismatch = EncodingSniffer.mismatch(declared: encoding, start: chunk, atFileStart: !seenBytes)
            seenBytes = true
            // ASCII reads the same in every encoding: the decision waits for the first chunk that is not ASCII.
            sniffing = mismatch == nil && !chunk.contains { $0 >= 0x80 }
        }
        guard mismatch == nil else { return }
        guard var text else { return try inner.decode(chunk, body) }
        self.text = nil  // held locally while it lends its output, so the two are not accessed at once
        defer { self.text = text }
        try text.decode(chunk) { utf8 in try inner.decode(utf8) { try body(Self.renamed($0)) } }
    }

    public mutating func finish(_ body: (RecordBatch) throws -> Void) rethrows {
        guard mismatch == nil else { return }
        guard var text else { return try inner.finish(body) }
        self.text = nil
        defer { self.text = text }
        try text.finish { utf8 in try inner.decode(utf8) { try body(Self.renamed($0)) } }
        try inner.finish { try body(Self.renamed($0)) }
    }

    /// The transcoded input is valid UTF-8 but for the marker of undecodable bytes, so broken UTF-8 is one of those.
    private static func renamed(_ batch: RecordBatch) -> RecordBatch {
        guard batch.errors.contains(where: { $0.reason == .badUTF8 }) else { return batch }
        var batch = batch
        for index in batch.errors.indices where batch.errors[index].reason == .badUTF8 {
            batch.errors[index].reason = .undecodable
        }
        return batch
    }

    private static func renamed(_ error: RecordError) -> RecordError {
        var error = error
        if error.reason == .badUTF8 { error.reason = .undecodable }
        return error
    }
}
