import RenkeiCodec
import RenkeiContracts
import Testing

@Suite struct CSVDecoderTests {
    let header = ValidationRuleTests.header

    @Test func mapsHeaderByItemNameOrKeyInAnyOrder() {
        let (batch, errors) = Fixtures.decodeCSV("色,id,文字\n01,7,山田\n")
        #expect(errors == [])
        #expect(batch.values(record: 0)[0] == "7")
        #expect(batch.value(record: 0, item: 1) == "山田")
        #expect(batch.value(record: 0, item: 11) == "01")
        #expect(Fixtures.reasons(batch) == [])
    }

    @Test func reportsUnknownAndDuplicateColumnsOnce() {
        let (batch, errors) = Fixtures.decodeCSV("id,nickname,text,文字\n1,x,a,b\n2,y,c,d\n")
        #expect(errors.map(\.reason) == [.unknownItem, .duplicateItem])
        #expect(errors.map(\.column) == [2, 4])
        #expect(errors.allSatisfy { $0.record == 0 && $0.line == 1 })
        #expect(batch.value(record: 1, item: 1) == "c")
        #expect(Fixtures.reasons(batch) == [])
    }

    @Test func readsQuotedFieldsWithCommasQuotesAndLineBreaks() {
        let text = "id,text,ascii\r\n1,\"a,b\",\"say \"\"hi\"\"\"\r\n2,\"x\r\ny\",z\r\n3,,\r\n"
        let (batch, _) = Fixtures.decodeCSV(text)
        #expect(batch.count == 3)
        #expect(batch.value(record: 0, item: 1) == "a,b")
        #expect(batch.value(record: 0, item: 5) == "say \"hi\"")
        #expect(batch.value(record: 1, item: 1) == "x\r\ny")
        // The quoted line break keeps the record whole and is reported as a control character, not a new row.
        #expect(Fixtures.reasons(batch) == ["text: control-char"])
        #expect(batch.errors.map(\.record) == [2])
        #expect(batch.errors.map(\.line) == [3])
        #expect(batch.line(2) == 5)
        #expect(batch.recordNumber(2) == 3)
    }

    @Test func toleratesBOMAndLF() {
        let (batch, errors) = Fixtures.decodeCSV("\u{FEFF}id,text\n1,a\n2,b")
        #expect(errors == [])
        #expect(Fixtures.values(batch).map { $0[0] } == ["1", "2"])
    }

    @Test func skipsBlankLinesButCountsThem() {
        let (batch, _) = Fixtures.decodeCSV("id,text\n\n1,a\r\n\r\n2,b\n\n")
        #expect(batch.count == 2)
        #expect((0..<2).map { batch.line($0) } == [3, 5])
    }

    @Test func readsWithoutHeaderInLayoutOrder() {
        let (batch, _) = Fixtures.decodeCSV(
            "1,a,,,,,,,,,,,\n", options: CSVDecodingOptions(hasHeader: false))
        #expect(batch.value(record: 0, item: 1) == "a")
        #expect(Fixtures.reasons(batch) == [])
    }

    @Test(arguments: ["1,ab\"c\n", "1,\"ab\"c\n", "1,\"abc\n"])
    func reportsMalformedCSV(row: String) {
        let (batch, _) = Fixtures.decodeCSV("id,text\n" + row)
        #expect(batch.count == 1)
        #expect(batch.errors.map(\.reason).contains(.malformedCSV))
    }

    @Test func reportsRowsWithTheWrongNumberOfFields() {
        let (batch, _) = Fixtures.decodeCSV("id,text\n1\n2,a,b\n3,c\n")
        #expect(batch.errors.map(\.reason) == [.fieldCount, .fieldCount])
        #expect(batch.errors.map(\.record) == [1, 2])
        #expect(batch.isValid(2))
    }

    @Test func skipsARecordLargerThanTheLimitAndResumes() {
        var decoder = CSVRecordDecoder(schema: Fixtures.types, options: CSVDecodingOptions(maxRecordBytes: 64))
        let text = "id,text\n1,\"" + String(repeating: "x", count: 200) + "\n2,b\n3,c\n"
        var reasons: [ErrorReason] = []
        var ids: [String?] = []
        let bytes = Array(text.utf8)
        for start in stride(from: 0, to: bytes.count, by: 16) {
            bytes[start..<min(start + 16, bytes.count)].withUnsafeBytes { chunk in
                decoder.decode(chunk) { batch in
                    reasons += batch.errors.map(\.reason)
                    ids += (0..<batch.count).map { batch.value(record: $0, item: 0) }
                }
            }
        }
        decoder.finish { batch in ids += (0..<batch.count).map { batch.value(record: $0, item: 0) } }
        #expect(reasons == [.recordTooLarge])
        #expect(ids == [nil, "2", "3"])
    }
}
