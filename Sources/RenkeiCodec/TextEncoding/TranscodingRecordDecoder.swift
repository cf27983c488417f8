public import RenkeiContracts

/// A record decoder for files in any ``TextEncoding``: it checks the start of the input for an evident encoding
/// mismatch, decodes CP932 or Shift_JIS to UTF-8 as it streams, and hands the UTF-8 to the format's decoder.
///
/// This is the one place record files meet encodings (conform, convert, the bulk route and inbox files all decode
/// through it). A byte sequence the encoding cannot decode is reported as `undecodable` at its record, line and
/// item. The decision about the encoding is made on the bytes up to the first ``sniffBytes`` non-ASCII bytes (at most
/// ``holdLimit`` bytes, counted from the start of the ``holdLimit`` block where non-ASCII text begins; the whole
/// input when it is shorter), however the input is cut into chunks: until then the input is held back, at most twice
/// ``holdLimit`` bytes. After a mismatch nothing more is decoded: ``mismatch`` says why and ``streamErrors`` holds one
/// `wrong-encoding` error at the line of the first non-ASCII byte, so a caller reports one error instead of one per
/// item.
public struct TranscodingRecordDecoder: RecordDecoder {
    public let encoding: TextEncoding
    private var inner: any RecordDecoder
    private var text: LegacyTextDecoder?
    private var sniffing = true
    private var seenBytes = false
    /// Input held back while sniffing.
    private var held: [UInt8] = []
    private var heldNonASCII = 0
    /// Line feeds passed on before the held input, for the line of a mismatch.
    private var linesPassed = 0
    private var mismatchLine = 1
    /// The evident mismatch found at the start of the input, if any.
    public private(set) var mismatch: EncodingMismatch?

    /// Non-ASCII bytes to see before deciding.
    static let sniffBytes = 64
    /// Most input held back while sniffing; an ASCII start longer than this is passed on and sniffing goes on.
    static let holdLimit = 256 * 1024

    /// A decoder of `format` records in `encoding`.
    public init(format: RecordFormat, schema: RecordSchema, encoding: TextEncoding) {
        self.encoding = encoding
        self.inner = format.makeDecoder(schema: schema)
        self.text = encoding == .utf8 ? nil : LegacyTextDecoder(encoding: encoding)
    }

    public var schema: RecordSchema { inner.schema }
    public var recordCount: Int { inner.recordCount }

    public var streamErrors: [RecordError] {
        if mismatch != nil { return [RecordError(record: 0, line: mismatchLine, reason: .wrongEncoding)] }
        return text == nil ? inner.streamErrors : inner.streamErrors.map(Self.renamed)
    }

    public mutating func decode(_ chunk: UnsafeRawBufferPointer, _ body: (RecordBatch) throws -> Void) rethrows {
        guard mismatch == nil else { return }
        guard sniffing else { return try pass(chunk, body) }
        held.append(contentsOf: chunk)
        heldNonASCII += chunk.reduce(0) { $0 + ($1 >= 0x80 ? 1 : 0) }
        if heldNonASCII == 0 {
            // ASCII reads the same in every encoding: pass it on and keep looking. In whole blocks of `holdLimit`
            // bytes, so where the bytes decided on start never depends on how the input was cut.
            if held.count >= Self.holdLimit { try release(held.count / Self.holdLimit * Self.holdLimit, body) }
        } else if heldNonASCII >= Self.sniffBytes || held.count >= windowStart + Self.holdLimit {
            try decide(body)
        }
    }

    /// Where the bytes decided on start in `held`: the start of the `holdLimit` block holding the first non-ASCII
    /// byte (0 when there is none).
    private var windowStart: Int {
        (held.firstIndex { $0 >= 0x80 } ?? 0) / Self.holdLimit * Self.holdLimit
    }

    /// The bytes decided on: from ``windowStart`` up to the `sniffBytes`-th non-ASCII byte, at most `holdLimit`
    /// bytes, and never more than is held. `decode` decides only once the held input holds all of them (or at the
    /// end of the input), so the decision depends on the input alone, not on its chunks.
    private var window: Range<Int> {
        let start = windowStart
        let end = min(held.count, start + Self.holdLimit)
        var seen = 0
        for index in start..<end where held[index] >= 0x80 {
            seen += 1
            if seen == Self.sniffBytes { return start..<(index + 1) }
        }
        return start..<end
    }

    /// Decides on the held input, then passes it on unless it is in another encoding.
    private mutating func decide(_ body: (RecordBatch) throws -> Void) rethrows {
        sniffing = false
        let window = self.window
        let atFileStart = !seenBytes && window.lowerBound == 0
        if let found = held[window].withUnsafeBytes({
            EncodingSniffer.mismatch(declared: encoding, start: $0, atFileStart: atFileStart)
        }) {
            mismatch = found
            let firstNonASCII = held.firstIndex { $0 >= 0x80 } ?? held.count
            mismatchLine = linesPassed + held[..<firstNonASCII].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            self.held = []
            return
        }
        try release(held.count, body)
    }

    /// Passes on the first `count` held bytes.
    private mutating func release(_ count: Int, _ body: (RecordBatch) throws -> Void) rethrows {
        let passed = Array(held[..<count])
        held.removeFirst(count)
        heldNonASCII -= passed.reduce(0) { $0 + ($1 >= 0x80 ? 1 : 0) }
        seenBytes = seenBytes || !passed.isEmpty
        linesPassed += passed.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        try passed.withUnsafeBytes { try pass($0, body) }
    }

    private mutating func pass(_ chunk: UnsafeRawBufferPointer, _ body: (RecordBatch) throws -> Void) rethrows {
        guard var text else { return try inner.decode(chunk, body) }
        self.text = nil  // held locally while it lends its output, so the two are not accessed at once
        defer { self.text = text }
        try text.decode(chunk) { utf8 in try inner.decode(utf8) { try body(Self.renamed($0)) } }
    }

    public mutating func finish(_ body: (RecordBatch) throws -> Void) rethrows {
        if sniffing && mismatch == nil { try decide(body) }
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
