import Foundation
import RenkeiCodec
import RenkeiContracts
import Testing

/// decode ∘ encode is the identity, and what we write is read back equal by independent readers.
@Suite struct RoundTripTests {
    static let generated = Fixtures.generatedResidents(count: 3000)

    /// Values that stress quoting and escaping; not all of them valid, which does not matter for a round trip.
    static let edgeRows: [[String?]] = [
        ["1", "a,b", "東京都", "ヤマダ", "ﾔﾏﾀﾞ", "say \"hi\"", "-5", "1.25", "0000-00-00", nil, nil, "01", "true"],
        [
            "2", "x\r\ny", nil, nil, nil, "back\\slash", "0", "-0.5", "2024-02-29", "2024-02-29",
            "2024-04-01T00:00:00Z",
            nil, "false",
        ],
        ["3", "\"", "葛\u{E0100}飾", nil, nil, "tab\there", nil, nil, nil, nil, nil, "02", nil],
        ["4", "\u{20BB7}\u{1}\u{1F}", "\u{3000}", nil, nil, "/", nil, nil, nil, nil, nil, nil, nil],
        ["5", ",,,", nil, nil, nil, "\"\"", nil, nil, nil, nil, nil, nil, nil],
        ["6", "\n", nil, nil, nil, " lead and trail ", nil, nil, nil, nil, nil, nil, nil],
    ]

    @Test func generatedRecordsAreValid() {
        let batch = Fixtures.batch(Self.generated)
        #expect(batch.errors == [])
    }

    @Test func csvRoundTripOfGeneratedRecords() {
        let batch = Fixtures.batch(Self.generated)
        var decoder = CSVRecordDecoder(schema: Fixtures.resident)
        let decoded = decoder.decodeAll(Fixtures.csv(batch))
        #expect(decoder.streamErrors == [])
        #expect(decoded.errors == [])
        #expect(Fixtures.values(decoded) == Self.generated)
    }

    @Test func csvRoundTripWithFieldKeysInTheHeader() {
        let batch = Fixtures.batch(Array(Self.generated.prefix(50)))
        var decoder = CSVRecordDecoder(schema: Fixtures.resident)
        let decoded = decoder.decodeAll(Fixtures.csv(batch, headerStyle: .keys))
        #expect(decoder.streamErrors == [])
        #expect(Fixtures.values(decoded) == Array(Self.generated.prefix(50)))
    }

    @Test func jsonLinesRoundTripOfGeneratedRecords() {
        let batch = Fixtures.batch(Self.generated)
        var decoder = JSONRecordDecoder(schema: Fixtures.resident)
        let decoded = decoder.decodeAll(Fixtures.jsonLines(batch))
        #expect(decoded.errors == [])
        #expect(Fixtures.values(decoded) == Self.generated)
    }

    @Test func roundTripOfEdgeCaseValues() {
        let batch = Fixtures.batch(Self.edgeRows, schema: Fixtures.types)
        var csv = CSVRecordDecoder(schema: Fixtures.types)
        #expect(Fixtures.values(csv.decodeAll(Fixtures.csv(batch))) == Self.edgeRows)
        var json = JSONRecordDecoder(schema: Fixtures.types)
        let decoded = json.decodeAll(Fixtures.jsonLines(batch))
        #expect(Fixtures.values(decoded) == Self.edgeRows)
        // Same findings whichever way the values came in.
        #expect(decoded.errors == batch.errors)
    }

    @Test func foundationReadsOurJSONBackEqual() throws {
        let batch = Fixtures.batch(Self.generated)
        let encoder = JSONRecordEncoder(layout: Fixtures.residentLayout)
        let keys = Fixtures.residentLayout.items.map(\.key)
        for record in 0..<batch.count {
            let object = try JSONDecoder().decode(
                [String: String].self, from: Data(encoder.encode(batch, record: record)))
            var expected: [String: String] = [:]
            for (item, value) in Self.generated[record].enumerated() where value != nil { expected[keys[item]] = value }
            #expect(object == expected)
        }
    }

    @Test func foundationReadsNumbersBooleansAndEscapesBack() throws {
        let batch = Fixtures.batch(Self.edgeRows, schema: Fixtures.types)
        let encoder = JSONRecordEncoder(layout: Fixtures.typesLayout)
        for record in 0..<batch.count {
            let bytes = encoder.encode(batch, record: record)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            for (item, value) in Self.edgeRows[record].enumerated() {
                let key = Fixtures.typesLayout.items[item].key
                guard let value else {
                    #expect(object[key] == nil)
                    continue
                }
                switch Fixtures.typesLayout.items[item].type {
                case .integer, .decimal: #expect((object[key] as? NSNumber)?.doubleValue == Double(value))
                case .boolean: #expect((object[key] as? Bool) == (value == "true"))
                default: #expect(object[key] as? String == value)
                }
            }
        }
    }

    @Test func pythonCSVModuleReadsOurCSVBackEqual() throws {
        let rows =
            Self.generated.prefix(500)
            + Self.edgeRows.map { row in
                // Edge values in resident-layout positions: name, building and lot carry them.
                var values = Self.generated[0]
                values[7] = row[1]
                values[21] = row[5]
                return values
            }
        let batch = Fixtures.batch(Array(rows))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-codec-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let csvURL = directory.appendingPathComponent("records.csv")
        try Data(Fixtures.csv(batch)).write(to: csvURL)
        let script = """
            import csv, json, sys
            with open(sys.argv[1], newline='', encoding='utf-8') as f:
                json.dump(list(csv.reader(f)), sys.stdout, ensure_ascii=False)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, csvURL.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let parsed = try JSONDecoder().decode([[String]].self, from: output)
        #expect(parsed.first == Fixtures.residentLayout.items.map(\.name))
        #expect(Array(parsed.dropFirst()) == rows.map { $0.map { $0 ?? "" } })
    }
}
