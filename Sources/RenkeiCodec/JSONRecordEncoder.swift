public import RenkeiContracts

/// Writes records as JSON objects: the projection's items in layout order, keyed by field key, absent items
/// omitted. `integer` and `decimal` values are JSON numbers, `boolean` values `true`/`false`, all others strings
/// (RFC 8259 escaping; non-ASCII written as UTF-8).
///
/// One object per record, e.g. one Kafka message value; with `lineTerminated` a line feed follows (JSON Lines).
/// Encode valid records: a value that is not a JSON number in a number item is written as a string.
public struct JSONRecordEncoder: Sendable {
    /// The items written.
    public let projection: Projection
    /// Whether a line feed follows each object (JSON Lines).
    public let lineTerminated: Bool

    struct Entry: Sendable {
        var item: Int
        var style: UInt8  // 0 string, 1 number, 2 boolean
        var keyStart: Int32
        var keyCount: Int32
    }

    let entries: [Entry]
    /// `"key":` of every entry, concatenated.
    let keyBytes: [UInt8]
    let itemCount: Int

    /// An encoder writing the items of `projection`.
    public init(projection: Projection, lineTerminated: Bool = false) {
        self.projection = projection
        self.lineTerminated = lineTerminated
        self.itemCount = projection.layout.items.count
        var entries: [Entry] = []
        var keys: [UInt8] = []
        for index in projection.itemIndices {
            let item = projection.layout.items[index]
            let style: UInt8 =
                switch item.type {
                case .integer, .decimal: 1
                case .boolean: 2
                default: 0
                }
            let start = keys.count
            keys.append(0x22)
            keys.append(contentsOf: JSONEscaping.escaped(Array(item.key.utf8)))
            keys.append(contentsOf: [0x22, 0x3A])
            entries.append(
                Entry(item: index, style: style, keyStart: Int32(start), keyCount: Int32(keys.count - start)))
        }
        self.entries = entries
        self.keyBytes = keys + [UInt8](repeating: 0, count: 8)
    }

    /// An encoder writing every item of `layout`.
    public init(layout: Layout, lineTerminated: Bool = false) {
        self.init(projection: Projection(all: layout), lineTerminated: lineTerminated)
    }

    /// Appends record `record` of `batch` to `writer`.
    public func encode(_ batch: RecordBatch, record: Int, into writer: ByteWriter) {
        precondition(batch.schema.itemCount == itemCount, "the batch's layout is not the projection's")
        let row = record &* itemCount
        batch.fields.withUnsafeBufferPointer { fields in
            batch.bytes.withUnsafeBufferPointer { input in
                batch.scratch.withUnsafeBufferPointer { scratch in
                    entries.withUnsafeBufferPointer { entries in
                        keyBytes.withUnsafeBufferPointer { keys in
                            write(
                                fields: fields.baseAddress! + row, input: input.baseAddress,
                                scratch: scratch.baseAddress, entries: entries, keys: keys.baseAddress!, to: writer)
                        }
                    }
                }
            }
        }
    }

    /// Record `record` of `batch` as new bytes. Allocates: for tests and tools.
    public func encode(_ batch: RecordBatch, record: Int) -> [UInt8] {
        let writer = ByteWriter(capacity: 1024)
        encode(batch, record: record, into: writer)
        return writer.bytes
    }

    @inline(__always)
    private func write(
        fields: UnsafePointer<FieldSlot>, input: UnsafePointer<UInt8>?, scratch: UnsafePointer<UInt8>?,
        entries: UnsafeBufferPointer<Entry>, keys: UnsafePointer<UInt8>, to writer: ByteWriter
    ) {
        // Room for the worst case (every byte escaped as \u00XX) plus slack for the 8-byte stores below.
        var worst = 19
        for entry in entries {
            let n = fields[entry.item].count
            if n > 0 { worst &+= Int(entry.keyCount) &+ 11 &+ n &* 6 }
        }
        writer.reserve(worst)
        let start = writer.tail
        var o = start
        o.pointee = 0x7B
        o += 1
        var first = true
        for entry in entries {
            let slot = fields[entry.item]
            let n = slot.count
            if n == 0 { continue }
            if !first {
                o.pointee = 0x2C
                o += 1
            }
            first = false
            // Keys are padded (see init), so whole words may be copied; the slack absorbs the overshoot.
            let keyCount = Int(entry.keyCount)
            ByteScanning.copyWords(from: keys + Int(entry.keyStart), to: o, count: keyCount)
            o += keyCount
            let p = (slot.inScratch ? scratch! : input!) + Int(slot.start)
            if entry.style == 1 && JSONEscaping.isNumber(p, n) || entry.style == 2 && JSONEscaping.isBoolean(p, n) {
                o.update(from: p, count: n)
                o += n
                continue
            }
            o.pointee = 0x22
            if let end = ByteScanning.copyJSONStringContent(p, n, to: o + 1) {
                o = end
            } else {
                o = JSONEscaping.writeEscaped(p, n, to: o + 1)
            }
            o.pointee = 0x22
            o += 1
        }
        o.pointee = 0x7D
        o += 1
        if lineTerminated {
            o.pointee = 0x0A
            o += 1
        }
        writer.advance(by: o - start)
    }
}
