import FuzzSupport
import RenkeiCodec
import RenkeiContracts

/// The checks both codec fuzzers make on whatever a decoder made of an input.
public enum CodecInvariants {
    /// Decodes `bytes` whole, cut in two at a position taken from `cut`, and in small chunks whose size comes from
    /// `cut`; the three must agree exactly (a decoder streams: where chunks end must never change a record, a line
    /// or an error). With `resyncAfterTooLarge`, only up to the first `record-too-large` record: where the CSV decoder
    /// resumes after one depends on the chunks when a quoted field holds line breaks or a line ends with a CR alone
    /// (``CSVDecodingOptions``).
    /// Returns the whole decode after checking its numbering.
    public static func decodeChunked<D: RecordDecoder>(
        _ bytes: [UInt8], cut: UInt8, resyncAfterTooLarge: Bool = false, make: () -> D
    ) -> Decoded {
        func comparable(_ decoded: Decoded) -> Decoded {
            guard resyncAfterTooLarge,
                let first = decoded.records.firstIndex(where: { $0.errors.contains { $0.reason == .recordTooLarge } })
            else { return decoded }
            var prefix = decoded
            prefix.records.removeSubrange((first + 1)...)
            prefix.streamErrors.removeAll { $0.line > decoded.records[first].line }
            return prefix
        }
        var whole = make()
        let reference = Decoded.decode(bytes, with: &whole, chunkEnds: [])
        require(
            whole.recordCount == reference.records.count,
            "recordCount \(whole.recordCount) but \(reference.records.count) records were lent")
        checkPositions(reference, in: bytes, layout: FuzzLayout.layout)

        var halves = make()
        let split = bytes.count * Int(cut) / 255
        let cutInTwo = Decoded.decode(bytes, with: &halves, chunkEnds: [split])
        require(
            comparable(cutInTwo) == comparable(reference),
            "cut at \(split) of \(bytes.count) decodes differently:\n\(cutInTwo)\nwhole:\n\(reference)")
        var pieces = make()
        let size = Int(cut % 7) + 1
        let ends = Array(stride(from: size, to: bytes.count, by: size))
        let inPieces = Decoded.decode(bytes, with: &pieces, chunkEnds: ends)
        require(
            comparable(inPieces) == comparable(reference),
            "chunks of \(size) decode differently:\n\(inPieces)\nwhole:\n\(reference)")
        return reference
    }

    /// Records are numbered upwards from 1, start on a line of the input, and every error names a line of the input
    /// and, when it names an item, an item of the layout; its message names the line.
    public static func checkPositions(_ decoded: Decoded, in bytes: [UInt8], layout: Layout) {
        // Line breaks are LF, CR LF and (in CSV) a CR alone.
        let lines =
            1
            + bytes.indices.count { bytes[$0] == 0x0A || (bytes[$0] == 0x0D && bytes.dropFirst($0 + 1).first != 0x0A) }
        var previous = (number: 0, line: 0)
        for record in decoded.records {
            require(record.number > previous.number, "record \(record.number) follows record \(previous.number)")
            require(record.line >= previous.line, "record \(record.number) at line \(record.line) < \(previous.line)")
            require((1...lines).contains(record.line), "record \(record.number) at line \(record.line) of \(lines)")
            previous = (record.number, record.line)
            for error in record.errors {
                require(error.record == record.number, "error \(error) in record \(record.number)")
                checkError(error, lines: lines, layout: layout)
            }
        }
        for error in decoded.streamErrors { checkError(error, lines: lines, layout: layout) }
    }

    private static func checkError(_ error: RecordError, lines: Int, layout: Layout) {
        require((1...lines).contains(error.line), "error \(error) names a line outside 1...\(lines)")
        require(error.record >= 0, "error \(error) names a negative record")
        if let item = error.item { require(item < layout.items.count, "error \(error) names no item of the layout") }
        if let column = error.column { require(column >= 1, "error \(error) names column \(column)") }
        let message = error.description(in: layout)
        require(message.contains("(line \(error.line))"), "message \"\(message)\" does not name its line")
    }

    /// Valid records written back as CSV (by name and by key) and as JSON Lines, plain and as one JSON array,
    /// decode to the same values and stay valid.
    public static func checkRoundTrips(_ decoded: Decoded) {
        let rows = decoded.validValues
        guard !rows.isEmpty else { return }
        let schema = FuzzLayout.schema
        var batch = RecordBatch(schema: schema)
        for row in rows { batch.append(values: row.map { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) }) }
        require(batch.invalidCount == 0, "valid records fail validation when rebuilt: \(batch.errors)")

        for style in [CSVRecordEncoder.HeaderStyle.names, .keys] {
            let encoder = CSVRecordEncoder(layout: schema.layout, headerStyle: style)
            let writer = ByteWriter()
            encoder.encodeHeader(into: writer)
            for record in 0..<batch.count { encoder.encode(batch, record: record, into: writer) }
            var decoder = CSVRecordDecoder(schema: schema)
            let again = Decoded.decode(writer.bytes, with: &decoder, chunkEnds: [])
            expectSameValues(again, rows, "CSV (\(style))", writer.bytes)
        }

        let encoder = JSONRecordEncoder(layout: schema.layout, lineTerminated: true)
        let writer = ByteWriter()
        var objects: [[UInt8]] = []
        for record in 0..<batch.count { objects.append(encoder.encode(batch, record: record)) }
        for record in 0..<batch.count { encoder.encode(batch, record: record, into: writer) }
        var decoder = JSONRecordDecoder(schema: schema)
        expectSameValues(
            Decoded.decode(writer.bytes, with: &decoder, chunkEnds: []), rows, "JSON Lines", writer.bytes)

        let array = [UInt8]("[".utf8) + Array(objects.joined(separator: Array(",".utf8))) + [UInt8]("]".utf8)
        let document = array.withUnsafeBytes { JSONRecordDecoder.decodeDocument($0, schema: schema) }
        let fromArray = Decoded(document)
        expectSameValues(fromArray, rows, "a JSON array", array)
    }

    private static func expectSameValues(_ decoded: Decoded, _ rows: [[[UInt8]]], _ form: String, _ text: [UInt8]) {
        require(
            decoded.records.allSatisfy(\.errors.isEmpty) && decoded.records.map(\.values) == rows,
            "valid records written as \(form) decode differently:\n\(String(decoding: text, as: UTF8.self))\n"
                + "got \(decoded)")
    }
}
