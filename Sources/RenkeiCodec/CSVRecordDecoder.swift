/// Decodes CSV (RFC 4180: quoted fields with commas, quotes and line breaks; UTF-8 with or without BOM; CRLF, LF)
/// into validated records, streaming.
///
/// ```swift
/// var decoder = CSVRecordDecoder(schema: schema)
/// for chunk in chunks { decoder.decode(chunk) { batch in … } }
/// decoder.finish { batch in … }
/// ```
public struct CSVRecordDecoder: RecordDecoder {
    public let schema: RecordSchema
    public let options: CSVDecodingOptions
    public private(set) var streamErrors: [RecordError] = []
    public private(set) var recordCount = 0

    var input: [UInt8] = []
    /// Start of the bytes not yet decoded.
    var consumed = 0
    /// The line number at `consumed`.
    var line = 1
    var started = false
    var discardingToLineEnd = false
    /// Column → item position, -1 for an ignored column; `nil` until the header is read.
    var columnItems: [Int]?
    /// `columnItems` at a stable address for the hot loop.
    var columnMap = ColumnMap(items: [])
    var batch: RecordBatch
    let slotBuffer: SlotBuffer
    var pending: [RecordError] = []
    var headerRanges: [FieldSlot] = []

    /// A decoder for records of `schema`.
    public init(schema: RecordSchema, options: CSVDecodingOptions = CSVDecodingOptions()) {
        self.schema = schema
        self.options = options
        self.batch = RecordBatch(schema: schema)
        self.slotBuffer = SlotBuffer(count: schema.itemCount)
        if !options.hasHeader {
            columnItems = Array(0..<schema.itemCount)
            columnMap = ColumnMap(items: columnItems!)
        }
    }

    public mutating func decode(_ chunk: UnsafeRawBufferPointer, _ body: (RecordBatch) throws -> Void) rethrows {
        if consumed > 0 {
            input.removeSubrange(0..<consumed)
            consumed = 0
        }
        input.append(contentsOf: chunk)
        batch.removeAll()
        parse(final: false)
        try lend(body)
    }

    public mutating func finish(_ body: (RecordBatch) throws -> Void) rethrows {
        batch.removeAll()
        parse(final: true)
        try lend(body)
        input.removeAll(keepingCapacity: true)
        consumed = 0
    }

    private mutating func lend(_ body: (RecordBatch) throws -> Void) rethrows {
        recordCount += batch.count
        swap(&input, &batch.bytes)
        defer { swap(&input, &batch.bytes) }
        try body(batch)
    }

    enum ScanResult {
        case record(end: Int, lines: Int, columns: Int, malformed: Bool)
        case blank(end: Int)
        case incomplete
    }

    private mutating func parse(final: Bool) {
        // A second reference to the input, so the loop below can mutate `self`; the input is not mutated meanwhile.
        let input = self.input
        input.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let end = buffer.count
            var p = consumed
            if !started {
                if end - p < 3 && !final { return }
                if end - p >= 3 && base[p] == 0xEF && base[p + 1] == 0xBB && base[p + 2] == 0xBF { p += 3 }
                started = true
            }
            while p < end {
                if discardingToLineEnd {
                    while p < end && base[p] != 0x0A { p += 1 }
                    if p == end { break }
                    p += 1
                    line += 1
                    discardingToLineEnd = false
                    continue
                }
                let isHeader = columnItems == nil
                if !isHeader { clearSlots() }
                switch scanRecord(base, from: p, end: end, final: final, header: isHeader) {
                case .incomplete:
                    // One byte more than the limit: the input may end with the CR of the record's CR LF, which is
                    // not part of the record (a complete record is measured without its line break, below).
                    if end - p > options.maxRecordBytes + 1 {
                        commitTooLarge(base)
                        p = end
                        discardingToLineEnd = true
                    }
                    consumed = p
                    return
                case .blank(let next):
                    p = next
                    line += 1
                case .record(let next, let lines, let columns, let malformed):
                    // Measured here too, so a record is too large whether or not it arrived cut by a chunk's end.
                    if Self.length(base, from: p, to: next) > options.maxRecordBytes {
                        commitTooLarge(base)
                    } else if isHeader {
                        readHeader(base)
                    } else {
                        let number = recordCount + batch.count + 1
                        if malformed {
                            pending.append(RecordError(record: number, line: line, reason: .malformedCSV))
                        } else if columns != columnItems!.count {
                            pending.append(RecordError(record: number, line: line, reason: .fieldCount))
                        }
                        batch.commitRecord(
                            slots: slotBuffer.pointer, input: base, number: number, line: line, pending: &pending)
                    }
                    p = next
                    line += lines
                }
            }
            consumed = p
        }
    }

    /// Reports the record starting at `line` as `record-too-large`, with no values.
    private mutating func commitTooLarge(_ base: UnsafePointer<UInt8>) {
        let number = recordCount + batch.count + 1
        pending.append(RecordError(record: number, line: line, reason: .recordTooLarge))
        clearSlots()
        markAllReported()
        batch.commitRecord(slots: slotBuffer.pointer, input: base, number: number, line: line, pending: &pending)
    }

    /// The length of the record in `start..<end` without the line break that ends it (LF, CR LF or CR).
    @inline(__always)
    private static func length(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var last = end
        if last > start && base[last - 1] == 0x0A { last -= 1 }
        if last > start && base[last - 1] == 0x0D { last -= 1 }
        return last - start
    }

    @inline(__always)
    private func clearSlots() { slotBuffer.reset() }

    private func markAllReported() { slotBuffer.markAllReported() }

    /// Delimits one record starting at `start`, storing its fields in `slots` (or `headerRanges`).
    @inline(__always)
    private mutating func scanRecord(
        _ base: UnsafePointer<UInt8>, from start: Int, end: Int, final: Bool, header: Bool
    ) -> ScanResult {
        var p = start
        let first = base[p]
        if first == 0x0A { return .blank(end: p + 1) }
        if first == 0x0D {
            if p + 1 < end { return .blank(end: base[p + 1] == 0x0A ? p + 2 : p + 1) }
            return final ? .blank(end: p + 1) : .incomplete
        }
        if header { headerRanges.removeAll(keepingCapacity: true) }
        var column = 0
        var lines = 0
        var malformed = false
        let columnCount = header ? 0 : columnMap.count
        let columns = columnMap.pointer
        while true {
            var fieldStart: Int
            var fieldCount: Int
            var inScratch = false
            if p < end && base[p] == 0x22 {
                p += 1
                fieldStart = p
                var hasEscapes = false
                while true {
                    while p < end && base[p] != 0x22 {
                        if base[p] == 0x0A { lines += 1 }
                        p += 1
                    }
                    if p == end {
                        if !final { return .incomplete }
                        malformed = true
                        fieldCount = p - fieldStart
                        break
                    }
                    if p + 1 < end && base[p + 1] == 0x22 {
                        hasEscapes = true
                        p += 2
                        continue
                    }
                    if p + 1 == end && !final { return .incomplete }
                    fieldCount = p - fieldStart
                    p += 1
                    break
                }
                if hasEscapes {
                    let scratchStart = batch.scratch.count
                    var i = fieldStart
                    let fieldEnd = fieldStart + fieldCount
                    while i < fieldEnd {
                        batch.scratch.append(base[i])
                        i += base[i] == 0x22 ? 2 : 1
                    }
                    fieldStart = scratchStart
                    fieldCount = batch.scratch.count - scratchStart
                    inScratch = true
                }
                // After the closing quote only a delimiter may follow.
                if p < end {
                    let b = base[p]
                    if b != 0x2C && b != 0x0A && b != 0x0D {
                        malformed = true
                        while p < end && base[p] != 0x2C && base[p] != 0x0A && base[p] != 0x0D { p += 1 }
                    }
                }
            } else {
                fieldStart = p
                while true {
                    p = ByteScanning.findCSVSpecial(base, from: p, end: end)
                    guard p < end, base[p] == 0x22 else { break }
                    malformed = true  // a quote inside an unquoted field
                    p += 1
                }
                fieldCount = p - fieldStart
            }
            if p == end && !final { return .incomplete }
            if header {
                headerRanges.append(FieldSlot(start: fieldStart, count: fieldCount, inScratch: inScratch))
            } else if column < columnCount {
                let item = Int(columns[column])
                if item >= 0 {
                    slotBuffer.pointer[item] = FieldSlot(start: fieldStart, count: fieldCount, inScratch: inScratch)
                }
            }
            column += 1
            if p == end { return .record(end: p, lines: lines, columns: column, malformed: malformed) }
            let b = base[p]
            p += 1
            if b == 0x2C { continue }
            if b == 0x0D {
                if p < end {
                    if base[p] == 0x0A { p += 1 }
                } else if !final {
                    return .incomplete
                }
            }
            return .record(end: p, lines: lines + 1, columns: column, malformed: malformed)
        }
    }

    /// Maps header names (item names or field keys) to items; unknown and repeated columns are stream errors.
    private mutating func readHeader(_ base: UnsafePointer<UInt8>) {
        var map: [Int] = []
        var seen = Set<Int>()
        for (column, slot) in headerRanges.enumerated() {
            let name: String
            if slot.inScratch {
                name = batch.scratch.withUnsafeBufferPointer {
                    String(
                        decoding: UnsafeBufferPointer(rebasing: $0[Int(slot.start)..<Int(slot.start) + slot.count]),
                        as: UTF8.self)
                }
            } else {
                name = String(
                    decoding: UnsafeBufferPointer(start: base + Int(slot.start), count: slot.count), as: UTF8.self)
            }
            if let item = schema.layout.index(of: name) {
                if seen.insert(item).inserted {
                    map.append(item)
                } else {
                    streamErrors.append(
                        RecordError(record: 0, line: line, item: item, column: column + 1, reason: .duplicateItem))
                    map.append(-1)
                }
            } else {
                streamErrors.append(RecordError(record: 0, line: line, column: column + 1, reason: .unknownItem))
                map.append(-1)
            }
        }
        batch.scratch.removeAll(keepingCapacity: true)
        columnItems = map
        columnMap = ColumnMap(items: map)
    }
}

/// Column → item position (-1 for an ignored column) at a stable address, read once per field.
final class ColumnMap {
    let pointer: UnsafeMutablePointer<Int32>
    let count: Int

    init(items: [Int]) {
        count = items.count
        pointer = .allocate(capacity: max(count, 1))
        for (column, item) in items.enumerated() { pointer[column] = Int32(item) }
    }

    deinit { pointer.deallocate() }
}
