import RenkeiCodec
import RenkeiContracts
import Testing

/// Records cut anywhere by chunk boundaries decode exactly as the whole input does.
@Suite struct StreamingTests {
    struct Outcome: Equatable {
        var values: [[String?]] = []
        var errors: [RecordError] = []
        var lines: [Int] = []
        var numbers: [Int] = []
    }

    static func decode(_ bytes: [UInt8], chunkSize: Int, decoder: inout some RecordDecoder) -> Outcome {
        var outcome = Outcome()
        func collect(_ batch: RecordBatch) {
            outcome.values += Fixtures.values(batch)
            outcome.errors += batch.errors
            outcome.lines += (0..<batch.count).map { batch.line($0) }
            outcome.numbers += (0..<batch.count).map { batch.recordNumber($0) }
        }
        for start in stride(from: 0, to: bytes.count, by: chunkSize) {
            bytes[start..<min(start + chunkSize, bytes.count)].withUnsafeBytes { decoder.decode($0, collect) }
        }
        decoder.finish(collect)
        return outcome
    }

    static let rows: [[String?]] = {
        var rows = Fixtures.generatedResidents(count: 300, seed: 7)
        rows[3][21] = "a \"quoted\",\r\nmulti-line 方書"  // invalid (control characters) but decodable
        rows[5][7] = nil  // a required item missing
        return rows
    }()

    @Test(arguments: [1, 2, 3, 5, 64, 1000, 1 << 20])
    func csvChunksGiveTheSameRecords(chunkSize: Int) {
        let bytes = [0xEF, 0xBB, 0xBF] + Fixtures.csv(Fixtures.batch(Self.rows))
        var whole = CSVRecordDecoder(schema: Fixtures.resident)
        var chunked = CSVRecordDecoder(schema: Fixtures.resident)
        let expected = Self.decode(bytes, chunkSize: 1 << 24, decoder: &whole)
        #expect(expected.values == Self.rows)
        #expect(expected.errors.map(\.reason) == [.controlChar, .required])
        #expect(expected.numbers == Array(1...300))
        #expect(expected.lines.last == 302)
        #expect(Self.decode(bytes, chunkSize: chunkSize, decoder: &chunked) == expected)
        #expect(chunked.recordCount == 300)
    }

    @Test(arguments: [1, 2, 3, 7, 100, 1 << 20])
    func jsonLinesChunksGiveTheSameRecords(chunkSize: Int) {
        let bytes = Fixtures.jsonLines(Fixtures.batch(Self.rows))
        var whole = JSONRecordDecoder(schema: Fixtures.resident)
        var chunked = JSONRecordDecoder(schema: Fixtures.resident)
        let expected = Self.decode(bytes, chunkSize: 1 << 24, decoder: &whole)
        #expect(expected.values == Self.rows)
        #expect(expected.lines == Array(1...300))
        #expect(Self.decode(bytes, chunkSize: chunkSize, decoder: &chunked) == expected)
    }

    /// Found by the CSV fuzzer: a record longer than the limit was too large only when a chunk ended inside it.
    @Test(arguments: [1, 5, 40, 1 << 20])
    func aCSVRecordLongerThanTheLimitIsTooLargeHoweverTheInputIsCut(chunkSize: Int) {
        let bytes = Array(("id,text\r\n1," + String(repeating: "x", count: 70) + "\r\n2,abc\r\n").utf8)
        var decoder = CSVRecordDecoder(schema: Fixtures.types, options: CSVDecodingOptions(maxRecordBytes: 64))
        let outcome = Self.decode(bytes, chunkSize: chunkSize, decoder: &decoder)
        #expect(outcome.errors == [RecordError(record: 1, line: 2, reason: .recordTooLarge)])
        #expect(outcome.values.map { $0[0] } == [nil, "2"])
        #expect(outcome.lines == [2, 3])
    }

    @Test(arguments: [1, 5, 40, 1 << 20])
    func aCSVRecordOfExactlyTheLimitIsAcceptedHoweverTheInputIsCut(chunkSize: Int) {
        // 64 bytes without the CR LF: the line break does not count, wherever a chunk ends around it.
        let bytes = Array(("id,text\r\n1," + String(repeating: "x", count: 62) + "\r\n").utf8)
        var decoder = CSVRecordDecoder(schema: Fixtures.types, options: CSVDecodingOptions(maxRecordBytes: 64))
        let outcome = Self.decode(bytes, chunkSize: chunkSize, decoder: &decoder)
        #expect(outcome.errors.map(\.reason) == [.tooLong])
    }

    @Test(arguments: [1, 5, 40, 1 << 20])
    func aJSONLineLongerThanTheLimitIsTooLargeHoweverTheInputIsCut(chunkSize: Int) {
        let bytes = Array(
            ("{\"id\":\"1\",\"text\":\"" + String(repeating: "x", count: 60) + "\"}\n{\"id\":\"2\"}\n").utf8)
        var decoder = JSONRecordDecoder(schema: Fixtures.types, maxRecordBytes: 64)
        let outcome = Self.decode(bytes, chunkSize: chunkSize, decoder: &decoder)
        #expect(outcome.errors == [RecordError(record: 1, line: 1, reason: .recordTooLarge)])
        #expect(outcome.values.map { $0[0] } == [nil, "2"])
    }

    @Test func lastRecordWithoutLineBreakIsDecodedAtFinish() {
        var decoder = CSVRecordDecoder(schema: Fixtures.types)
        var seen: [String?] = []
        Array("id,text\n1,a\n2,b".utf8).withUnsafeBytes { chunk in
            decoder.decode(chunk) { batch in seen += (0..<batch.count).map { batch.value(record: $0, item: 0) } }
        }
        #expect(seen == ["1"])
        decoder.finish { batch in seen += (0..<batch.count).map { batch.value(record: $0, item: 0) } }
        #expect(seen == ["1", "2"])
    }
}
