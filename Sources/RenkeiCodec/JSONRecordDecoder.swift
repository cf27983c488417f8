/// Decodes JSON Lines (one JSON object per line, keys are the items' field keys) into validated records, streaming.
///
/// Strings carry every item type; numbers are accepted for `integer` and `decimal` items and `true`/`false` for
/// `boolean` items. `null`, `""` and a missing key all mean "no value". A malformed line becomes one record with the
/// error `malformed-json`; decoding resumes at the next line. For a single JSON document (one object, or an array of
/// objects, as in an HTTP body) use `decodeDocument(_:schema:)`.
public struct JSONRecordDecoder: RecordDecoder {
    public let schema: RecordSchema
    public private(set) var streamErrors: [RecordError] = []
    public private(set) var recordCount = 0
    /// The largest line accepted, in bytes (at most 128 MiB); a longer one is reported as `record-too-large` and
    /// skipped.
    public let maxRecordBytes: Int

    var input: [UInt8] = []
    var consumed = 0
    var line = 1
    var started = false
    var discardingToLineEnd = false
    var batch: RecordBatch
    let slotBuffer: SlotBuffer
    var pending: [RecordError] = []
    var keyScratch: [UInt8] = []

    /// A decoder for records of `schema`.
    public init(schema: RecordSchema, maxRecordBytes: Int = 1 << 20) {
        self.schema = schema
        self.maxRecordBytes = min(maxRecordBytes, 1 << 27)
        self.batch = RecordBatch(schema: schema)
        self.slotBuffer = SlotBuffer(count: schema.itemCount)
    }

    public mutating func decode(_ chunk: UnsafeRawBufferPointer, _ body: (RecordBatch) throws -> Void) rethrows {
        if consumed > 0 {
            input.removeSubrange(0..<consumed)
            consumed = 0
        }
        input.append(contentsOf: chunk)
        batch.removeAll()
        parseLines(final: false)
        try lend(body)
    }

    public mutating func finish(_ body: (RecordBatch) throws -> Void) rethrows {
        batch.removeAll()
        parseLines(final: true)
        try lend(body)
        input.removeAll(keepingCapacity: true)
        consumed = 0
    }

    /// Decodes one JSON document held in memory: a single object, an array of objects, or objects separated by
    /// whitespace. The first syntax error ends decoding: it is reported as a record with `malformed-json`.
    public static func decodeDocument(_ bytes: UnsafeRawBufferPointer, schema: RecordSchema) -> RecordBatch {
        var decoder = JSONRecordDecoder(schema: schema)
        decoder.input = Array(bytes)
        decoder.parseDocument()
        swap(&decoder.input, &decoder.batch.bytes)
        return decoder.batch
    }

    private mutating func lend(_ body: (RecordBatch) throws -> Void) rethrows {
        recordCount += batch.count
        swap(&input, &batch.bytes)
        defer { swap(&input, &batch.bytes) }
        try body(batch)
    }

    /// Runs `body` with the pointers the parser reads: the input and the schema's rules and key bytes.
    @inline(__always)
    private mutating func withContext(_ body: (inout JSONRecordDecoder, JSONParseContext) -> Void) {
        let input = self.input
        let schema = self.schema
        input.withUnsafeBufferPointer { buffer in
            schema.rules.withUnsafeBufferPointer { rules in
                schema.keyBytes.withUnsafeBufferPointer { keys in
                    guard let base = buffer.baseAddress else { return }
                    schema.codeWords.withUnsafeBufferPointer { words in
                        let context = JSONParseContext(
                            base: base, end: buffer.count, rules: rules.baseAddress!,
                            keyBytes: keys.baseAddress ?? UnsafePointer(bitPattern: 8)!, itemCount: schema.itemCount,
                            slots: slotBuffer.pointer, keysArePlain: schema.keysArePlain,
                            codeWords: words.baseAddress ?? UnsafePointer(bitPattern: 8)!)
                        body(&self, context)
                    }
                }
            }
        }
    }

    private mutating func parseLines(final: Bool) {
        withContext { decoder, context in decoder.parseLines(context, final: final) }
    }

    private mutating func parseDocument() {
        withContext { decoder, context in decoder.parseDocument(context) }
    }

    private mutating func parseLines(_ c: JSONParseContext, final: Bool) {
        let base = c.base
        let end = c.end
        var p = consumed
        if !started {
            if end - p < 3 && !final { return }
            if end - p >= 3 && base[p] == 0xEF && base[p + 1] == 0xBB && base[p + 2] == 0xBF { p += 3 }
            started = true
        }
        while p < end {
            let lineEnd = findByte(0x0A, base, from: p, end: end)
            if discardingToLineEnd {
                if lineEnd == end { p = end; break }
                p = lineEnd + 1
                line += 1
                discardingToLineEnd = false
                continue
            }
            if lineEnd == end && !final {
                if end - p > maxRecordBytes {
                    commitTooLarge(c)
                    p = end
                    discardingToLineEnd = true
                }
                break
            }
            // Measured here too, so a line is too large whether or not it arrived cut by a chunk's end.
            if lineEnd - p > maxRecordBytes {
                commitTooLarge(c)
                line += 1
                p = lineEnd == end ? end : lineEnd + 1
                continue
            }
            var q = p
            skipWhitespace(c, &q, end: lineEnd)
            if q < lineEnd {
                let number = recordCount + batch.count + 1
                resetSlots()
                if parseObjectFast(c, start: q, end: lineEnd) {
                    commit(c, number: number)
                    line += 1
                    p = lineEnd == end ? end : lineEnd + 1
                    continue
                }
                resetSlots()
                var ok = parseObject(c, &q, end: lineEnd, number: number)
                if ok {
                    skipWhitespace(c, &q, end: lineEnd)
                    ok = q == lineEnd
                }
                if ok {
                    commit(c, number: number)
                } else {
                    pending.removeAll(keepingCapacity: true)
                    pending.append(RecordError(record: number, line: line, reason: .malformedJSON))
                    commitFailedRecord(c, number: number)
                }
            }
            line += 1
            p = lineEnd == end ? end : lineEnd + 1
        }
        consumed = p
    }

    /// Reports the line starting at `line` as `record-too-large`, with no values.
    private mutating func commitTooLarge(_ c: JSONParseContext) {
        let number = recordCount + batch.count + 1
        pending.append(RecordError(record: number, line: line, reason: .recordTooLarge))
        commitFailedRecord(c, number: number)
    }

    private mutating func parseDocument(_ c: JSONParseContext) {
        var p = 0
        let end = c.end
        if end >= 3 && c.base[0] == 0xEF && c.base[1] == 0xBB && c.base[2] == 0xBF { p = 3 }
        skipWhitespace(c, &p, end: end)
        let isArray = p < end && c.base[p] == 0x5B
        if isArray {
            p += 1
            skipWhitespace(c, &p, end: end)
            if p < end && c.base[p] == 0x5D {
                p += 1
                skipWhitespace(c, &p, end: end)
                if p != end { failDocument(c) }
                return
            }
        }
        while p < end {
            let number = batch.count + 1
            resetSlots()
            guard parseObject(c, &p, end: end, number: number) else { return failDocument(c) }
            commit(c, number: number)
            skipWhitespace(c, &p, end: end)
            if isArray {
                guard p < end else { return failDocument(c) }
                if c.base[p] == 0x2C {
                    p += 1
                    skipWhitespace(c, &p, end: end)
                    continue
                }
                guard c.base[p] == 0x5D else { return failDocument(c) }
                p += 1
                skipWhitespace(c, &p, end: end)
                if p != end { failDocument(c) }
                return
            }
        }
        if isArray { failDocument(c) }
    }

    private mutating func failDocument(_ c: JSONParseContext) {
        let number = batch.count + 1
        pending.removeAll(keepingCapacity: true)
        pending.append(RecordError(record: number, line: line, reason: .malformedJSON))
        commitFailedRecord(c, number: number)
    }

    @inline(__always)
    private mutating func commit(_ c: JSONParseContext, number: Int) {
        batch.commitRecord(slots: slotBuffer.pointer, input: c.base, number: number, line: line, pending: &pending)
    }

    private mutating func commitFailedRecord(_ c: JSONParseContext, number: Int) {
        slotBuffer.markAllReported()
        commit(c, number: number)
    }

    @inline(__always)
    private mutating func resetSlots() {
        slotBuffer.reset()
    }

    @inline(__always)
    mutating func skipWhitespace(_ c: JSONParseContext, _ p: inout Int, end: Int) {
        while p < end {
            let b = c.base[p]
            guard b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A else { return }
            if b == 0x0A { line += 1 }  // only documents have line breaks between tokens
            p += 1
        }
    }
}

/// The pointers the JSON parser reads, valid for one `decode` call.
struct JSONParseContext {
    let base: UnsafePointer<UInt8>
    let end: Int
    let rules: UnsafePointer<FieldRule>
    let keyBytes: UnsafePointer<UInt8>
    let itemCount: Int
    let slots: UnsafeMutablePointer<FieldSlot>
    /// No field key needs JSON escaping, so a key can be matched by comparing bytes up to the closing quote.
    let keysArePlain: Bool
    let codeWords: UnsafePointer<UInt64>
}
