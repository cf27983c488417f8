public import RenkeiContracts

/// Writes records as CSV (RFC 4180): the projection's items in layout order, a field quoted only when it holds a
/// comma, a quote or a line break, quotes doubled; UTF-8 without BOM.
public struct CSVRecordEncoder: Sendable {
    /// What the header row names the columns by.
    public enum HeaderStyle: Sendable {
        /// Item names, e.g. `宛名番号`, as the standard's CSV files do.
        case names
        /// Field keys, e.g. `atena_number`.
        case keys
    }

    /// How lines end.
    public enum LineEnding: Sendable {
        /// CR LF, as RFC 4180 says.
        case crlf
        /// LF.
        case lf
    }

    public let projection: Projection
    public let headerStyle: HeaderStyle
    public let lineEnding: LineEnding
    let itemIndices: [Int]
    let itemCount: Int

    public init(projection: Projection, headerStyle: HeaderStyle = .names, lineEnding: LineEnding = .crlf) {
        self.projection = projection
        self.headerStyle = headerStyle
        self.lineEnding = lineEnding
        self.itemIndices = projection.itemIndices
        self.itemCount = projection.layout.items.count
    }

    /// An encoder writing every item of `layout`.
    public init(layout: Layout, headerStyle: HeaderStyle = .names, lineEnding: LineEnding = .crlf) {
        self.init(projection: Projection(all: layout), headerStyle: headerStyle, lineEnding: lineEnding)
    }

    /// Appends the header row.
    public func encodeHeader(into writer: ByteWriter) {
        for (position, index) in itemIndices.enumerated() {
            if position > 0 { writer.writeByte(0x2C) }
            let item = projection.layout.items[index]
            var text = Array((headerStyle == .names ? item.name : item.key).utf8)
            text.withUnsafeMutableBufferPointer { buffer in
                writer.reserve(buffer.count * 2 + 2)
                writer.advance(by: CSVRecordEncoder.writeField(buffer.baseAddress!, buffer.count, to: writer.tail))
            }
        }
        writeLineEnd(writer)
    }

    /// Appends record `record` of `batch` as one row.
    public func encode(_ batch: RecordBatch, record: Int, into writer: ByteWriter) {
        precondition(batch.schema.itemCount == itemCount, "the batch's layout is not the projection's")
        let row = record &* itemCount
        batch.fields.withUnsafeBufferPointer { fields in
            batch.bytes.withUnsafeBufferPointer { input in
                batch.scratch.withUnsafeBufferPointer { scratch in
                    itemIndices.withUnsafeBufferPointer { indices in
                        let slots = fields.baseAddress! + row
                        var worst = indices.count + 2
                        for index in indices { worst &+= slots[index].count &* 2 &+ 2 }
                        writer.reserve(worst)
                        let start = writer.tail
                        var o = start
                        var first = true
                        for index in indices {
                            if !first {
                                o.pointee = 0x2C
                                o += 1
                            }
                            first = false
                            let slot = slots[index]
                            let n = slot.count
                            if n == 0 { continue }
                            let p = (slot.inScratch ? scratch.baseAddress! : input.baseAddress!) + Int(slot.start)
                            o += CSVRecordEncoder.writeField(p, n, to: o)
                        }
                        writer.advance(by: o - start)
                    }
                }
            }
        }
        writeLineEnd(writer)
    }

    private func writeLineEnd(_ writer: ByteWriter) {
        if lineEnding == .crlf { writer.writeByte(0x0D) }
        writer.writeByte(0x0A)
    }

    /// Writes one field, quoted when needed; returns the bytes written (at most `2 * n + 2`).
    @inline(__always)
    static func writeField(_ p: UnsafePointer<UInt8>, _ n: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var needsQuotes = false
        var i = 0
        while i < n {
            let b = p[i]
            if b <= 0x2C && (b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D) {
                needsQuotes = true
                break
            }
            i &+= 1
        }
        if !needsQuotes {
            out.update(from: p, count: n)
            return n
        }
        var o = out
        o.pointee = 0x22
        o += 1
        i = 0
        while i < n {
            let b = p[i]
            o.pointee = b
            o += 1
            if b == 0x22 {
                o.pointee = 0x22
                o += 1
            }
            i &+= 1
        }
        o.pointee = 0x22
        o += 1
        return o - out
    }
}
