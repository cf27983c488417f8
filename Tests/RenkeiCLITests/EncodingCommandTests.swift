import Foundation
import RenkeiCodec
import RenkeiContracts
import RenkeiTestSupport
import Testing

/// `conform` and `convert` with `--encoding` and `--output-encoding`, on generated CP932 exports.
@Suite struct EncodingCommandTests {
    /// A generated UTF-8 export of `count` residents, and the same in CP932.
    func generatedExport(in directory: URL, count: Int = 1000) throws -> (utf8: URL, cp932: URL) {
        let utf8 = directory.appendingPathComponent("residents.csv")
        let gen = try CodecCommandRunner.run([
            "gen", "residents", "--count", "\(count + count / 5 + 10)", "--seed", "932", "--output", utf8.path,
            "--contracts", CodecCommandRunner.contracts,
        ])
        #expect(gen.status == 0, "\(gen.stderr)")
        let (legacy, kept) = legacyCSV([UInt8](try Data(contentsOf: utf8)), rows: count)
        try Data(kept).write(to: utf8)
        let cp932 = directory.appendingPathComponent("residents-cp932.csv")
        try Data(legacy).write(to: cp932)
        return (utf8, cp932)
    }

    @Test func aCP932ExportWithoutEncodingGetsOneErrorNamingCP932() throws {
        let directory = try CodecCommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try generatedExport(in: directory).cp932
        let result = try CodecCommandRunner.run([
            "conform", "--layout", "resident-record", file.path, "--contracts", CodecCommandRunner.contracts,
        ])
        #expect(result.status == 2)
        #expect(
            result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
                == "error: \(file.path) is not UTF-8: it looks like CP932 (Shift_JIS); use --encoding cp932")
        #expect(result.text.isEmpty, "no report of thousands of item errors")
    }

    @Test func aCP932ExportWithEncodingCP932Conforms() throws {
        let directory = try CodecCommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try generatedExport(in: directory).cp932
        let result = try CodecCommandRunner.run([
            "conform", "--layout", "resident-record", file.path, "--encoding", "cp932",
            "--contracts", CodecCommandRunner.contracts,
        ])
        #expect(result.status == 0, "\(result.text)\(result.stderr)")
        #expect(result.text.contains("conforms"))
        #expect(result.text.contains("records: 1000, valid: 1000, invalid: 0"))
    }

    @Test func undecodableBytesAreReportedByConformWithRowLineAndItem() throws {
        let directory = try CodecCommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try generatedExport(in: directory, count: 20).cp932
        var bytes = [UInt8](try Data(contentsOf: file))
        // The first byte of record 5's second field (line 6) becomes 0xA0, which CP932 does not decode.
        var line = 1
        var index = 0
        while line < 6 {
            if bytes[index] == 0x0A { line += 1 }
            index += 1
        }
        while bytes[index] != 0x2C { index += 1 }
        bytes[index + 1] = 0xA0
        try Data(bytes).write(to: file)
        let result = try CodecCommandRunner.run([
            "conform", "--layout", "resident-record", file.path, "--encoding", "shift-jis", "--format", "json",
            "--contracts", CodecCommandRunner.contracts,
        ])
        #expect(result.status == 1)
        let layout = try #require(
            try ContractLoader.load(directory: CodecCommandRunner.contracts).layout(named: "resident-record"))
        #expect(
            result.text.contains(
                "{\"row\":5,\"line\":6,\"item\":\"\(layout.items[1].key)\",\"code\":\"undecodable\"}"),
            "\(result.text)")
        #expect(result.text.contains("\"invalid\":1"))
    }

    @Test func convertDecodesCP932ToTheExactUTF8AndEncodesItBack() throws {
        let directory = try CodecCommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (utf8, cp932) = try generatedExport(in: directory)
        let decoded = directory.appendingPathComponent("decoded.csv")
        let toUTF8 = try CodecCommandRunner.run([
            "convert", "--layout", "resident-record", cp932.path, "--encoding", "cp932", "--to", "csv",
            "--output", decoded.path, "--contracts", CodecCommandRunner.contracts,
        ])
        #expect(toUTF8.status == 0, "\(toUTF8.stderr)")
        #expect(try Data(contentsOf: decoded) == Data(contentsOf: utf8))
        let encoded = directory.appendingPathComponent("encoded.csv")
        let toCP932 = try CodecCommandRunner.run([
            "convert", "--layout", "resident-record", utf8.path, "--output-encoding", "windows-31j", "--to", "csv",
            "--output", encoded.path, "--contracts", CodecCommandRunner.contracts,
        ])
        #expect(toCP932.status == 0, "\(toCP932.stderr)")
        #expect(try Data(contentsOf: encoded) == Data(contentsOf: cp932))
    }

    @Test func convertToCP932SkipsRecordsWithCharactersItCannotHoldAndNamesThem() throws {
        let directory = try CodecCommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let layout = try #require(
            try ContractLoader.load(directory: CodecCommandRunner.contracts).layout(named: "resident-record"))
        let utf8 = try generatedExport(in: directory, count: 10).utf8
        var decoder = CSVRecordDecoder(schema: RecordSchema(layout: layout))
        let original = decoder.decodeAll(Array(try Data(contentsOf: utf8)))
        var rows = (0..<original.count).map { original.values(record: $0) }
        let name = try #require(layout.index(of: "name"))
        rows[3][name] = "\u{20BB7}野　太郎"  // 𠮷, outside the BMP and CP932
        var batch = RecordBatch(schema: original.schema)
        for row in rows { batch.append(values: row) }
        var converter = RecordConverter(projection: Projection(all: layout), format: .csv)
        let writer = ByteWriter()
        converter.convert(batch, into: writer)
        #expect(converter.written == 10)
        try Data(writer.bytes).write(to: utf8)
        let result = try CodecCommandRunner.run([
            "convert", "--layout", "resident-record", utf8.path, "--output-encoding", "cp932", "--to", "jsonl",
            "--output", directory.appendingPathComponent("out.jsonl").path,
            "--contracts", CodecCommandRunner.contracts,
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("1 items cannot be written in CP932"), "\(result.stderr)")
        #expect(result.stderr.contains("record 4 (line 5) name (\(layout.items[name].name)): unencodable"))
        #expect(result.stderr.contains("wrote 9 records, skipped 1"))
        #expect(!result.stderr.contains("太郎"), "values are never printed")
    }

    @Test func anUnknownEncodingIsAUsageError() throws {
        let result = try CodecCommandRunner.run([
            "conform", "--layout", "resident-record", "x.csv", "--encoding", "euc-jp",
            "--contracts", CodecCommandRunner.contracts,
        ])
        #expect(result.status != 0 && result.status != 1)
        #expect(result.stderr.contains("euc-jp"))
    }
}
