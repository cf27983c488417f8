import Foundation
import Logging
import RenkeiBus
import RenkeiContracts
import RenkeiKafka
import RenkeiTestSupport
import Testing

/// `renkei contract what-if` replays a history under --data-dir against a proposed contract folder: it prints each
/// flagged change with counts and sample keys (never values), and exits 3 when anything would have differed, 0 when
/// nothing would have, 2 on unusable input.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ContractWhatIfCommandTests {
    static let contractsDirectory = CLIRunner.repositoryRoot.appendingPathComponent("contracts").path

    @Test func flagsEachProposedChangeAgainstTheHistoryAndExitsByWhetherAnythingDiffers() async throws {
        var logger = Logger(label: "renkei.test")
        logger.logLevel = .critical
        let kafka = try EmbeddedKafka.start(logger: logger)
        defer { kafka.shutdown() }
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-cli-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let contracts = try ContractLoader.load(directory: Self.contractsDirectory)
        let layout = try #require(contracts.layout(named: "resident-record"))
        let start = Date()
        let bus = try await Bus.start(
            contracts: contracts, configuration: BusConfiguration(kafka: kafka.configuration, instance: "cli-what-if"),
            logger: logger)
        let changed = HistoryReportCommandTests.residents(layout: layout, count: 3)
        _ = try await bus.provide(linkage: "resident-change", provider: "001", records: changed.csv, format: .csv)
        _ = try? await bus.provide(linkage: "resident-change", provider: "C001", records: changed.csv, format: .csv)
        let register = HistoryReportCommandTests.residents(layout: layout, count: 20)
        _ = try await bus.provideBulk(
            linkage: "resident-register-daily", provider: "001", format: .csv,
            chunks: AsyncStream([UInt8].self) { continuation in
                continuation.yield(register.csv)
                continuation.finish()
            })
        await bus.shutdown()
        let keys = changed.records.compactMap { $0[0] }
        let items = try [layout.index(of: "name"), layout.index(of: "my_number")].map { try #require($0) }
        let values = try items.map { try #require(changed.records[0][$0]) }
        let options = [
            "--since", Timestamp.format(start), "--brokers", kafka.bootstrapServers, "--data-dir", dataDirectory,
            "--contracts", Self.contractsDirectory,
        ]

        let proposalA = try Self.copy(editing: Self.proposalA)
        defer { try? FileManager.default.removeItem(atPath: proposalA) }
        let text = try CLIRunner.run(["contract", "what-if", proposalA] + options)
        #expect(text.status == 3, "\(text.stderr)")
        let lines = text.stdout.components(separatedBy: "\n").dropLast()
        #expect(lines.contains("[mynumber] resident-change → 008 個人住民税: would have received (a new receiver)"))
        #expect(lines.contains("    items:   宛名番号 atena_number, 氏名 name (personal), 個人番号 my_number (mynumber)"))
        #expect(lines.contains("[personal] resident-change → 017 介護保険: items that would have been sent"))
        #expect(lines.contains("    items:   住民票コード resident_card_code (personal)"))
        #expect(lines.contains("[less] resident-change → 002 児童手当: would not have received (no longer a receiver)"))
        #expect(lines.contains("[less] resident-change → C001 子育て応援ポイント: items that would have been withheld"))
        #expect(lines.contains("    keys:    " + keys.joined(separator: ", ")))
        #expect(lines.filter { $0.hasPrefix("    counted: 3 records, 1 provide at ") }.count == 4)
        #expect(lines.last == "4 findings. Keys are samples of record keys (宛名番号); values are never recorded.")
        // The mynumber finding comes first, and nothing of the unchanged bulk linkage is flagged.
        #expect(lines.first { $0.hasPrefix("[") }?.hasPrefix("[mynumber]") == true)
        #expect(!text.stdout.contains("resident-register-daily"))

        let json = try CLIRunner.run(
            ["contract", "what-if", proposalA, "--format", "json", "--samples", "2"] + options)
        #expect(json.status == 3, "\(json.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: json.stdoutData) as? [String: Any])
        #expect(document["differs"] as? Bool == true)
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(
            findings.map { $0["kind"] as? String ?? "" } == [
                "new-receiver", "items-sent", "not-delivered", "items-withheld",
            ])
        #expect(findings.first?["sensitivity"] as? String == "mynumber")
        #expect(findings.allSatisfy { ($0["samples"] as? [String]) == Array(keys.prefix(2)) })
        #expect((findings.first?["counts"] as? [String: Any])?["records"] as? Int == 3)

        let proposalB = try Self.copy(editing: Self.proposalB)
        defer { try? FileManager.default.removeItem(atPath: proposalB) }
        let removed = try CLIRunner.run(["contract", "what-if", proposalB] + options)
        #expect(removed.status == 3, "\(removed.stderr)")
        let removedLines = removed.stdout.components(separatedBy: "\n")
        #expect(
            removedLines.contains(
                "[more] resident-change: C001 子育て応援ポイント was refused (not-the-provider) and would have been accepted"))
        #expect(removedLines.contains("[less] resident-change: 001 住民基本台帳 would have been refused (not-the-provider)"))
        #expect(
            removedLines.contains(
                "[less] resident-register-daily: the linkage is gone; none of this would have happened"))
        // The bulk transfer counts its 20 records once, not one entry per receiver.
        #expect(removedLines.contains { $0.hasPrefix("    counted: 20 records, 1 provide at ") })

        for output in [text.stdout, json.stdout, removed.stdout] {
            for value in values { #expect(!output.contains(value), "a record's value in the output") }
        }

        let unchanged = try CLIRunner.run(["contract", "what-if", Self.contractsDirectory] + options)
        #expect(unchanged.status == 0, "\(unchanged.stderr)")
        #expect(unchanged.stdout.contains("Nothing would have gone differently."))
        let since2020 = try CLIRunner.run(
            ["contract", "what-if", proposalA, "--until", "2099-12-31"] + options.dropFirst(2) + [
                "--since", "2020-01-01",
            ])
        #expect(since2020.status == 3, "\(since2020.stderr)")
        #expect(since2020.stdout.contains("had applied from 2020-01-01T00:00:00+09:00 to 2099-12-31T23:59:59+09:00"))

        let badDate = try CLIRunner.run(["contract", "what-if", proposalA] + options + ["--since", "yesterday"])
        #expect(badDate.status == 2)
        #expect(badDate.stderr.contains("--since takes a date such as 2026-11-01"))
        let broken = try Self.copy(editing: [
            ContractEdit("linkages/resident-query.yaml", "delivery: pull", "delivery: email")
        ])
        defer { try? FileManager.default.removeItem(atPath: broken) }
        let unusable = try CLIRunner.run(["contract", "what-if", broken] + options)
        #expect(unusable.status == 2)
        #expect(unusable.stderr.contains("linkages/resident-query.yaml:"))
        #expect(unusable.stderr.contains("error[invalid-value]"))
    }

    static let proposalA = WhatIfProposals.a

    static let proposalB = WhatIfProposals.b

    /// A copy of the sample contracts with `edits` applied.
    static func copy(editing edits: [ContractEdit]) throws -> String {
        try ContractEdit.copy(contractsDirectory, applying: edits)
    }
}
