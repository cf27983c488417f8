import Foundation
import RenkeiCodec
import RenkeiContracts
import Testing

/// CP932 and Shift_JIS: exact round trips of generated residents, streaming across chunk boundaries, and errors
/// that name record, line and item.
@Suite struct TextEncodingTests {
    /// Generated residents whose every value CP932 and Shift_JIS can hold: the generator also writes names such as
    /// 葛󠄀 (with a variation selector) that no legacy encoding holds.
    static let generated: [[String?]] = Fixtures.generatedResidents(count: 1200, seed: 932).filter { row in
        row.allSatisfy { value in
            value.map { encoded(Array($0.utf8), .cp932) != nil && encoded(Array($0.utf8), .shiftJIS) != nil } ?? true
        }
    }

    /// The UTF-8 `text` encoded, or `nil` when a character is outside the repertoire.
    static func encoded(_ text: [UInt8], _ encoding: TextEncoding) -> [UInt8]? {
        let writer = ByteWriter()
        let ok = text.withUnsafeBytes { LegacyTextEncoder(encoding: encoding).encode($0, into: writer) }
        return ok ? writer.bytes : nil
    }

    /// `bytes` decoded in chunks cut at `cuts`.
    static func decoded(_ bytes: [UInt8], _ encoding: TextEncoding, cuts: [Int] = []) -> (utf8: [UInt8], errors: Int) {
        var decoder = LegacyTextDecoder(encoding: encoding)
        var out: [UInt8] = []
        var start = 0
        for end in cuts + [bytes.count] {
            bytes[start..<end].withUnsafeBytes { chunk in decoder.decode(chunk) { out += $0 } }
            start = end
        }
        decoder.finish { out += $0 }
        return (out, decoder.undecodableCount)
    }

    /// Decodes `bytes` as `format` records in `encoding` through the decoder conform, convert and the bulk route use.
    static func records(
        _ bytes: [UInt8], _ encoding: TextEncoding, format: RecordFormat = .csv, schema: RecordSchema = Fixtures.types
    ) -> (batch: RecordBatch, stream: [RecordError], mismatch: EncodingMismatch?) {
        var decoder = TranscodingRecordDecoder(format: format, schema: schema, encoding: encoding)
        let batch = decoder.decodeAll(bytes)
        return (batch, decoder.streamErrors, decoder.mismatch)
    }

    @Test(arguments: [TextEncoding.cp932, .shiftJIS])
    func generatedResidentsRoundTripExactly(_ encoding: TextEncoding) throws {
        #expect(Self.generated.count > 1000)
        let utf8 = Fixtures.csv(Fixtures.batch(Self.generated))
        #expect(utf8.contains { $0 >= 0x80 }, "the residents hold kanji and kana")
        let legacy = try #require(Self.encoded(utf8, encoding))
        #expect(legacy.count < utf8.count)
        let back = Self.decoded(legacy, encoding)
        #expect(back.errors == 0)
        let same = back.utf8 == utf8
        #expect(same, "UTF-8 → \(encoding) → UTF-8 gives the same bytes")
        let (batch, stream, mismatch) = Self.records(legacy, encoding, schema: Fixtures.resident)
        #expect(mismatch == nil && stream == [] && batch.errors == [])
        let values = Fixtures.values(batch) == Self.generated
        #expect(values)
    }

    @Test func halfWidthKatakanaAndKanjiDecodeToTheirCharacters() {
        // ｱ = A1 → ｱ U+FF71 (B1), 漢 = 8ABF, 字 = 8E9A, ① (NEC row 13) = 8740, 髙 (IBM) = FBFC.
        let bytes: [UInt8] = [0xB1, 0x8A, 0xBF, 0x8E, 0x9A, 0x87, 0x40, 0xFB, 0xFC, 0x41]
        #expect(String(decoding: Self.decoded(bytes, .cp932).utf8, as: UTF8.self) == "ｱ漢字①髙A")
        let sjis = Self.decoded(bytes, .shiftJIS)
        #expect(sjis.errors == 2, "Shift_JIS (JIS X 0208) has neither the NEC nor the IBM extensions")
    }

    @Test func shiftJISAndCP932DifferWhereTheMappingsDo() {
        // 0x8160: WAVE DASH in Shift_JIS, FULLWIDTH TILDE in CP932.
        #expect(String(decoding: Self.decoded([0x81, 0x60], .shiftJIS).utf8, as: UTF8.self) == "\u{301C}")
        #expect(String(decoding: Self.decoded([0x81, 0x60], .cp932).utf8, as: UTF8.self) == "\u{FF5E}")
        #expect(Self.encoded(Array("\u{301C}".utf8), .cp932) == nil, "no look-alike is written")
        #expect(Self.encoded(Array("\u{FF5E}".utf8), .cp932) == [0x81, 0x60])
        #expect(Self.encoded(Array("\u{FF5E}".utf8), .shiftJIS) == nil)
    }

    @Test(arguments: [TextEncoding.cp932, .shiftJIS])
    func everyDecodableCodeEncodesBackToTheSameCharacter(_ encoding: TextEncoding) throws {
        var checked = 0
        for lead in Array(0x81...0x9F) + Array(0xE0...0xFC) {
            for trail in Array(0x40...0x7E) + Array(0x80...0xFC) {
                let code = [UInt8(lead), UInt8(trail)]
                let decoded = Self.decoded(code, encoding)
                guard decoded.errors == 0 else { continue }
                let again = try #require(Self.encoded(decoded.utf8, encoding))
                #expect(Self.decoded(again, encoding).utf8 == decoded.utf8)
                checked += 1
            }
        }
        #expect(checked == (encoding == .cp932 ? 9604 : 6879))
    }

    @Test func aDoubleByteCharacterCutByAChunkBoundaryDecodesWholeAtEveryOffset() throws {
        let utf8 = Fixtures.csv(Fixtures.batch(Array(Self.generated.prefix(3))))
        let legacy = try #require(Self.encoded(utf8, .cp932))
        var wrong: [Int] = []
        for offset in 0...legacy.count {
            let split = Self.decoded(legacy, .cp932, cuts: [offset])
            if split.utf8 != utf8 || split.errors != 0 { wrong.append(offset) }
        }
        #expect(wrong == [], "cut at these offsets")
        // Records too: one byte per chunk.
        var decoder = TranscodingRecordDecoder(format: .csv, schema: Fixtures.resident, encoding: .cp932)
        var values: [[String?]] = []
        for byte in legacy { [byte].withUnsafeBytes { decoder.decode($0) { values += Fixtures.values($0) } } }
        decoder.finish { values += Fixtures.values($0) }
        #expect(values == Array(Self.generated.prefix(3)))
    }

    @Test(arguments: [
        ("lone lead byte at the end of a field", [0x82] as [UInt8]),
        ("0x80", [0x80]), ("0xA0", [0xA0]), ("0xFD", [0xFD]),
        ("unassigned double-byte code", [0x85, 0x40]),
    ])
    func undecodableBytesAreReportedWithRecordLineAndItem(_ label: String, _ bad: [UInt8]) {
        let header = Array("番号,文字,全角,日付,真偽\r\n1,\"a,b\",漢字,,\r\n2,ok,".utf8)
        let input = (try! #require(Self.encoded(header, .cp932))) + [0x8A, 0xBF] + bad + Array(",,true\r\n".utf8)
        let (batch, stream, mismatch) = Self.records(input, .cp932)
        #expect(mismatch == nil && stream == [], "\(label)")
        #expect(batch.count == 2)
        #expect(batch.errors == [RecordError(record: 2, line: 3, item: 2, reason: .undecodable)], "\(label)")
        #expect(batch.value(record: 1, item: 12) == "true", "the fields after it are read as they were")
    }

    @Test func undecodableBytesInADateItemAreUndecodableNotABadDate() {
        let input = Array("id,day\r\n1,2024-01-0".utf8) + [0xFD] + Array("\r\n".utf8)
        let (batch, _, _) = Self.records(input, .cp932)
        #expect(batch.errors == [RecordError(record: 1, line: 2, item: 8, reason: .undecodable)])
    }

    @Test func charactersCP932CannotHoldAreReportedWithRecordLineAndItem() {
        let rows: [[String?]] = [
            ["1", "ok", "漢字", nil, nil, nil, nil, nil, nil, nil, nil, nil, nil],
            ["2", nil, "\u{20BB7}野家", nil, nil, nil, nil, nil, nil, nil, nil, nil, nil],  // 𠮷 beyond the BMP
            ["3", nil, "葛\u{E0100}飾", nil, nil, nil, nil, nil, nil, nil, nil, nil, nil],  // variation selector
            ["4", "\u{1F600}", "〜", nil, nil, nil, nil, nil, nil, nil, nil, nil, nil],  // emoji, WAVE DASH
            ["5", "ｱ", "①", nil, nil, nil, nil, nil, nil, nil, nil, nil, nil],
        ]
        let input = Fixtures.csv(Fixtures.batch(rows, schema: Fixtures.types))
        var decoder = CSVRecordDecoder(schema: Fixtures.types)
        let batch = decoder.decodeAll(input)
        #expect(batch.errors == [])
        var converter = RecordConverter(
            projection: Projection(all: Fixtures.typesLayout), format: .csv, outputEncoding: .cp932)
        let writer = ByteWriter()
        converter.convert(batch, into: writer)
        #expect(converter.written == 2 && converter.skipped == 3)
        #expect(
            converter.encodingErrors == [
                RecordError(record: 2, line: 3, item: 2, reason: .unencodable),
                RecordError(record: 3, line: 4, item: 2, reason: .unencodable),
                RecordError(record: 4, line: 5, item: 1, reason: .unencodable),
                RecordError(record: 4, line: 5, item: 2, reason: .unencodable),
            ])
        let back = Self.records(writer.bytes, .cp932)
        #expect(Fixtures.values(back.batch) == [rows[0], rows[4]])
    }

    @Test func aCP932FileDeclaredAsUTF8IsOneMismatchNamingCP932() throws {
        let legacy = try #require(Self.encoded(Fixtures.csv(Fixtures.batch(Self.generated)), .cp932))
        let (batch, stream, mismatch) = Self.records(legacy, .utf8, schema: Fixtures.resident)
        #expect(mismatch?.likely == .cp932)
        #expect(mismatch.map { "\($0)" } == "the input is not UTF-8: it looks like CP932 (Shift_JIS)")
        #expect(stream == [RecordError(record: 0, line: 1, reason: .wrongEncoding)])
        #expect(batch.count == 0)
    }

    @Test func aCP932FileWithABrokenByteIsStillNamedCP932() throws {
        var legacy = try #require(Self.encoded(Fixtures.csv(Fixtures.batch(Array(Self.generated.prefix(6)))), .cp932))
        // The first non-ASCII byte of the last record starts a character; 0x80 starts none.
        let lastLine = try #require(legacy.dropLast().lastIndex(of: 0x0A))
        let lead = try #require(legacy[lastLine...].firstIndex { $0 >= 0x80 })
        legacy[lead] = 0x80
        #expect(Self.records(legacy, .cp932, schema: Fixtures.resident).batch.invalidCount == 1)
        #expect(Self.records(legacy, .utf8, schema: Fixtures.resident).mismatch?.likely == .cp932)
    }

    @Test func aUTF8FileDeclaredAsCP932IsOneMismatchNamingUTF8() {
        let utf8 = Fixtures.csv(Fixtures.batch(Self.generated))
        #expect(Self.records(utf8, .cp932, schema: Fixtures.resident).mismatch?.likely == .utf8)
        #expect(Self.records(utf8, .shiftJIS, schema: Fixtures.resident).mismatch?.likelyName == "UTF-8")
    }

    @Test(arguments: [TextEncoding.utf8, .cp932])
    func aUTF16FileIsNamedAsSuch(_ declared: TextEncoding) {
        let utf16: [UInt8] = [0xFF, 0xFE] + Array("番号\r\n1\r\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let mismatch = Self.records(utf16, declared).mismatch
        #expect(mismatch?.likelyName == "UTF-16" && mismatch?.likely == nil)
    }

    /// Half-width katakana pairs are well-formed two-byte UTF-8 (ﾅｶ is `C5 B6`, "Ŷ"), and a CP932 lead byte cut by a
    /// chunk's end looks like the start of a UTF-8 character: however the input is cut, neither makes it UTF-8.
    @Test(arguments: [1, 2, 3, 7, 1 << 20])
    func halfWidthKatakanaIsNotTakenForUTF8HoweverTheInputIsCut(_ chunkSize: Int) throws {
        let input =
            Array("id,narrow,wide\r\n1,".utf8) + [0xC5, 0xB6] + Array(",".utf8)
            + (try #require(Self.encoded(Array("漢字\r\n2,".utf8), .cp932))) + [0xB1, 0xB2] + Array(",x\r\n".utf8)
        var decoder = TranscodingRecordDecoder(format: .csv, schema: Fixtures.types, encoding: .cp932)
        var values: [[String?]] = []
        for start in stride(from: 0, to: input.count, by: chunkSize) {
            input[start..<min(start + chunkSize, input.count)].withUnsafeBytes {
                decoder.decode($0) { values += Fixtures.values($0) }
            }
        }
        decoder.finish { values += Fixtures.values($0) }
        #expect(decoder.mismatch == nil, "chunks of \(chunkSize)")
        #expect(values.map { $0[4] } == ["ﾅｶ", "ｱｲ"])
        #expect(values.first?[2] == "漢字")
    }

    /// Found by the CSV fuzzer: the whole input was judged on all its bytes (CP932 later in the file outweighed the
    /// UTF-8 start), a chunked one on its first 64 non-ASCII bytes only.
    @Test(arguments: [1, 3, 7, 64, 1 << 20])
    func theEncodingIsJudgedOnTheSameBytesHoweverTheInputIsCut(_ chunkSize: Int) throws {
        let start = Array("id,text\n1,".utf8) + Array(String(repeating: "番号", count: 11).utf8) + Array("\n2,".utf8)
        let input = start + (try #require(Self.encoded(Array(String(repeating: "カタカナ", count: 20).utf8), .cp932)))
        var decoder = TranscodingRecordDecoder(format: .csv, schema: Fixtures.types, encoding: .utf8)
        let outcome = StreamingTests.decode(input, chunkSize: chunkSize, decoder: &decoder)
        #expect(decoder.mismatch == nil, "judged on the first 64 non-ASCII bytes, all UTF-8")
        #expect(decoder.streamErrors.isEmpty)
        #expect(outcome.errors.map(\.reason) == [.tooLong, .badUTF8])
        #expect(outcome.lines == [2, 3])
    }

    @Test func aMismatchAfterAnASCIIStartNamesTheLineOfItsFirstNonASCIIByte() throws {
        let ascii = Array("id,text\r\n1,ab\r\n2,cd\r\n".utf8)
        let legacy = try #require(Self.encoded(Array("3,日本語の文字列です。\r\n".utf8), .cp932))
        let input = ascii + Array(repeating: legacy, count: 8).joined()
        let (batch, stream, mismatch) = Self.records(input, .utf8)
        #expect(mismatch?.likely == .cp932)
        #expect(stream == [RecordError(record: 0, line: 4, reason: .wrongEncoding)])
        #expect(batch.count == 0, "held back until the encoding was decided")
    }

    @Test func aUTF8FileWithABrokenByteIsNotCalledCP932() {
        let input = Array("番号,文字\r\n1,日本語\r\n2,".utf8) + [0xFF] + Array("\r\n3,漢字かな\r\n".utf8)
        let (batch, _, mismatch) = Self.records(input, .utf8)
        #expect(mismatch == nil)
        #expect(batch.errors == [RecordError(record: 2, line: 3, item: 1, reason: .badUTF8)])
    }

    @Test func asciiIsTheSameInEveryEncoding() {
        let ascii = Array("id,ascii\r\n1,abc\r\n".utf8)
        for encoding in TextEncoding.allCases {
            let (batch, stream, mismatch) = Self.records(ascii, encoding)
            #expect(mismatch == nil && stream == [] && batch.errors == [] && batch.value(record: 0, item: 5) == "abc")
        }
    }

    @Test(arguments: [
        ("utf-8", TextEncoding.utf8), ("UTF8", .utf8), ("cp932", .cp932), ("Windows-31J", .cp932),
        ("shift_jis", .shiftJIS), ("Shift-JIS", .shiftJIS), ("sjis", .shiftJIS),
    ])
    func encodingNamesParseAsCommandLinesAndCharsetsWriteThem(_ name: String, _ encoding: TextEncoding) {
        #expect(TextEncoding(name: name) == encoding)
    }

    @Test func unknownEncodingNamesDoNotParse() {
        #expect(TextEncoding(name: "euc-jp") == nil)
        #expect(TextEncoding(name: "utf-16") == nil)
    }
}
