import Foundation
import Logging
import RenkeiBus
import RenkeiCodec
import RenkeiContracts
import RenkeiKafka
import RenkeiSynthetic
import Testing

/// `renkei history query` and `renkei history report` find a resident who was only in a bulk transfer, through
/// the transfer's key list, from an index under --data-dir, and never print a record's values.
@Suite(.serialized, .timeLimit(.minutes(5))) struct HistoryReportCommandTests {
    @Test func queryAndReportShowABulkDeliveryOfAResident() async throws {
        var logger = Logger(label: "renkei.test")
        logger.logLevel = .critical
        let kafka = try EmbeddedKafka.start(logger: logger)
        defer { kafka.shutdown() }
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-cli-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let contracts = try ContractLoader.load(
            directory: CLIRunner.repositoryRoot.appendingPathComponent("contracts").path)
        let layout = try #require(contracts.layout(named: "resident-record"))
        let residents = Self.residents(layout: layout, count: 500)
        let bus = try await Bus.start(
            contracts: contracts, configuration: BusConfiguration(kafka: kafka.configuration, instance: "cli-report"),
            logger: logger)
        let purpose = "住民記録システム移行 第1回"
        let version = try #require(bus.contractVersion(of: "resident-register-daily"))
        let receipt = try await bus.provideBulk(
            linkage: "resident-register-daily", provider: "001", format: .csv,
            chunks: AsyncStream([UInt8].self) { continuation in
                continuation.yield(residents.csv)
                continuation.finish()
            }, requestPurpose: try RequestPurpose(purpose))
        await bus.shutdown()
        let transfer = try #require(receipt.transfer?.id)
        let resident = residents.records[250]
        let key = try #require(resident[0])
        let nameIndex = try #require(layout.index(of: "name"))
        let name = try #require(resident[nameIndex])
        let options = ["--key", key, "--data-dir", dataDirectory, "--brokers", kafka.bootstrapServers]

        let table = try CLIRunner.run(["history", "query"] + options)
        #expect(table.status == 0, "\(table.stderr)")
        for receiver in ["008", "018", "C001"] { #expect(table.stdout.contains("→ \(receiver)")) }
        #expect(table.stdout.contains("transfer \(transfer)"))
        #expect(table.stdout.components(separatedBy: "(found in its key list)").count - 1 == 3)
        #expect(table.stdout.contains("3 entries, newest first."))
        #expect(table.stdout.components(separatedBy: "contract \(version)  request purpose: \(purpose)").count - 1 == 3)
        #expect(!table.stdout.contains(name))

        // Pages of 2 with the printed cursor give the three entries once each.
        let first = try Self.json(
            try CLIRunner.run(["history", "query", "--limit", "2", "--format", "json"] + options))
        let cursor = try #require(first["next"] as? String)
        let second = try Self.json(
            try CLIRunner.run(["history", "query", "--limit", "2", "--format", "json", "--cursor", cursor] + options))
        #expect(second["next"] is NSNull)
        let entries = (first["entries"] as? [[String: Any]] ?? []) + (second["entries"] as? [[String: Any]] ?? [])
        #expect(entries.compactMap { $0["receiver"] as? String }.sorted() == ["008", "018", "C001"])
        #expect(entries.allSatisfy { $0["foundInKeyList"] as? Bool == true && $0["transfer"] as? String == transfer })
        #expect(Set(entries.compactMap { $0["offset"] as? Int }).count == 3)

        let badCursor = try CLIRunner.run(["history", "query", "--cursor", "not-a-cursor!"] + options)
        #expect(badCursor.status != 0)
        #expect(badCursor.stderr.contains("--cursor"))

        let csv = try CLIRunner.run(["history", "report", "--format", "csv"] + options)
        #expect(csv.status == 0, "\(csv.stderr)")
        let rows = Self.csvRows(csv.stdout)
        #expect(rows.count == 1 + 3)
        let header = try #require(rows.first)
        #expect(header.first == "time" && header.contains("in_key_list"))
        for row in rows.dropFirst() {
            let field = { (column: String) in row[header.firstIndex(of: column) ?? 0] }
            #expect(row.count == header.count)
            #expect(field("kind") == "provide" && field("provider") == "001" && field("transfer") == transfer)
            #expect(field("in_key_list") == "true")
            #expect(field("items").contains("宛名番号"))
            #expect(field("request_purpose") == purpose && field("contract_version") == version)
        }
        #expect(rows.dropFirst().map { $0[header.firstIndex(of: "receiver")!] }.sorted() == ["008", "018", "C001"])

        let json = try Self.json(try CLIRunner.run(["history", "report", "--format", "json"] + options))
        #expect(json["key"] as? String == key)
        let lines = json["entries"] as? [[String: Any]] ?? []
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0["inKeyList"] as? Bool == true })
        #expect(lines.allSatisfy { $0["requestPurpose"] as? String == purpose })
        #expect(lines.allSatisfy { $0["contractVersion"] as? String == version })

        let text = try CLIRunner.run(["history", "report"] + options)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("History of resident \(key)"))
        #expect(text.stdout.contains("3 entries. Values are never recorded."))
        #expect(text.stdout.contains("001 住民基本台帳 → 008 個人住民税"))
        #expect(text.stdout.contains("bulk transfer \(transfer), found in its key list"))
        #expect(text.stdout.components(separatedBy: "    request:  \(purpose)\n").count - 1 == 3)
        #expect(text.stdout.contains("    contract: resident-record@1.0, version \(version)"))
        for output in [table.stdout, csv.stdout, text.stdout] {
            #expect(!output.contains(name), "a record's value in the output")
        }
    }

    private static func json(_ result: CLIRunner.Result) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
    }

    /// The rows of RFC 4180 CSV text (quoted fields may hold commas, quotes and line breaks).
    static func csvRows(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" {
                        field.append("\"")
                        characters = characters.dropFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(field)
                field = ""
            } else if character == "\r\n" || character == "\n" {
                row.append(field)
                rows.append(row)
                (row, field) = ([], "")
            } else {
                field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty { rows.append(row + [field]) }
        return rows
    }

    /// `count` generated residents as CSV with item names in the header, and their values.
    static func residents(layout: Layout, count: Int) -> (csv: [UInt8], records: [[String?]]) {
        var generator = ResidentGenerator(layout: layout, seed: 21)
        var batch = RecordBatch(schema: RecordSchema(layout: layout))
        var records: [[String?]] = []
        for _ in 0..<count {
            let values = generator.next()
            records.append(values)
            batch.append(values: values)
        }
        let encoder = CSVRecordEncoder(layout: layout)
        let writer = ByteWriter()
        encoder.encodeHeader(into: writer)
        for record in 0..<batch.count { encoder.encode(batch, record: record, into: writer) }
        return (writer.bytes, records)
    }
}
