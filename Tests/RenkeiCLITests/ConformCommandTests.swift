import Foundation
import RenkeiCodec
import RenkeiContracts
import Testing

@Suite struct ConformCommandTests {
    struct Finding: Hashable, Decodable {
        var row: Int
        var line: Int
        var item: String?
        var code: String
    }

    struct Report: Decodable {
        var records: Int
        var valid: Int
        var invalid: Int
        var conforms: Bool
        var counts: [String: Int]
        var errors: [Finding]
    }

    /// Injected errors: (record number, item key, bad value, expected reason code).
    static let injected: [(Int, String, String?, String)] = [
        (17, "atena_number", "12AB", "not-digits"),
        (250, "birth_date", "2023-02-29", "bad-date"),
        (1001, "sex", "5", "unknown-code"),
        (1500, "name_kana", "やまだ　たろう", "char-rule"),
        (1777, "name", String(repeating: "葛\u{E0100}", count: 101), "too-long"),
        (1999, "name", nil, "required"),
        (1999, "operated_at", "2024-01-01 10:00:00", "bad-datetime"),
    ]

    /// Generates `count` records with the CLI, then injects `injected` through the codec and writes `format`.
    func generatedFileWithErrors(in directory: URL, format: RecordFormat, count: Int = 2000) throws -> URL {
        let clean = directory.appendingPathComponent("clean.csv")
        let gen = try CodecCommandRunner.run([
            "gen", "residents", "--count", "\(count)", "--seed", "11", "--output", clean.path,
            "--contracts", CodecCommandRunner.contracts,
        ])
        #expect(gen.status == 0, "\(gen.stderr)")
        let layout = try #require(
            try ContractLoader.load(directory: CodecCommandRunner.contracts).layout(named: "resident-record"))
        let schema = RecordSchema(layout: layout)
        var decoder = CSVRecordDecoder(schema: schema)
        let original = decoder.decodeAll(Array(try Data(contentsOf: clean)))
        #expect(original.count == count && original.errors.isEmpty)
        var rows = (0..<original.count).map { original.values(record: $0) }
        for (record, key, value, _) in Self.injected { rows[record - 1][layout.index(of: key)!] = value }
        var batch = RecordBatch(schema: schema)
        for row in rows { batch.append(values: row) }
        let writer = ByteWriter()
        var converter = RecordConverter(projection: Projection(all: layout), format: format)
        // The converter writes valid records only; write all of them here, invalid ones included.
        if format == .csv {
            let encoder = CSVRecordEncoder(layout: layout)
            encoder.encodeHeader(into: writer)
            for record in 0..<batch.count { encoder.encode(batch, record: record, into: writer) }
        } else {
            let encoder = JSONRecordEncoder(layout: layout, lineTerminated: true)
            for record in 0..<batch.count { encoder.encode(batch, record: record, into: writer) }
        }
        converter.finish(into: ByteWriter())
        let url = directory.appendingPathComponent("export.\(format.rawValue)")
        try Data(writer.bytes).write(to: url)
        return url
    }

    @Test(arguments: [RecordFormat.csv, .jsonl])
    func reportsExactlyTheInjectedErrors(format: RecordFormat) throws {
        let directory = try CodecCommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try generatedFileWithErrors(in: directory, format: format)
        let result = try CodecCommandRunner.run([
            "conform", "--layout", "resident-record", file.path, "--format", "json",
            "--contracts", CodecCommandRunner.contracts,
        ])
        #expect(result.status == 1)
        let report = try JSONDecoder().decode(Report.self, from: result.stdout)
        let lineOffset = format == .csv ? 1 : 0
        let expected = Set(Self.injected.map { Finding(row: $0.0, line: $0.0 + lineOffset, item: $0.1, code: $0.3) })
        #expect(Set(report.errors) == expected)
        #expect(report.errors.count == Self.injected.count)
        #expect(report.records == 2000)
        #expect(report.invalid == 6)
        #expect(report.valid == 1994)
        #expect(!report.conforms)
        #expect(report.counts["name"] == nil)
        #expect(report.counts["bad-date"] == 1)
    }

    @Test func textReportNamesRecordLineAndItemButNoValue() throws {
        let directory = try CodecCommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try generatedFileWithErrors(in: directory, format: .csv)
        let result = try CodecCommandRunner.run([
            "conform", "--layout", "resident-record", file.path, "--contracts", CodecCommandRunner.contracts,
        ])
        #expect(result.status == 1)
        #expect(result.text.contains("records: 2000, valid: 1994, invalid: 6"))
        #expect(result.text.contains("record 250 (line 251) birth_date (生年月日): bad-date"))
        #expect(!result.text.contains("2023-02-29"))
        #expect(!result.text.contains("12AB"))
    }

    @Test func exitsWithZeroWhenEveryRecordConforms() throws {
        let directory = try CodecCommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("residents.jsonl")
        _ = try CodecCommandRunner.run([
            "gen", "residents", "--count", "500", "--format", "jsonl", "--output", file.path,
            "--contracts", CodecCommandRunner.contracts,
        ])
        let result = try CodecCommandRunner.run([
            "conform", "--layout", "resident-record", file.path, "--contracts", CodecCommandRunner.contracts,
        ])
        #expect(result.status == 0)
        #expect(result.text.contains("conforms"))
        #expect(result.text.contains("records: 500, valid: 500, invalid: 0"))
    }

    @Test func exitsWithTwoOnUnusableInput() throws {
        let unknownLayout = try CodecCommandRunner.run([
            "conform", "--layout", "no-such-layout", "x.csv", "--contracts", CodecCommandRunner.contracts,
        ])
        #expect(unknownLayout.status == 2)
        #expect(unknownLayout.stderr.contains("no-such-layout"))
        let missingFile = try CodecCommandRunner.run([
            "conform", "--layout", "resident-record", "/nonexistent/export.csv", "--contracts",
            CodecCommandRunner.contracts,
        ])
        #expect(missingFile.status == 2)
        #expect(missingFile.stderr.contains("cannot read /nonexistent/export.csv"))
    }

    @Test func reportsUnknownColumnsAsFileErrors() throws {
        let directory = try CodecCommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("odd.csv")
        try Data("atena_number,nickname\n1,x\n".utf8).write(to: file)
        let result = try CodecCommandRunner.run([
            "conform", "--layout", "resident-record", file.path, "--format", "json",
            "--contracts", CodecCommandRunner.contracts,
        ])
        #expect(result.status == 1)
        let report = try JSONDecoder().decode(Report.self, from: result.stdout)
        #expect(report.errors.first == Finding(row: 0, line: 1, item: nil, code: "unknown-item"))
        #expect(report.counts["required"] == 17)  // every required item but atena_number
    }
}
