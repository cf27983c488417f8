import Foundation
import Testing

@Suite struct ContractCommandTests {
    @Test func lintOfTheSampleContractsExitsZero() throws {
        let result = try CLIRunner.run(["contract", "lint"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("OK: 6 systems, 7 code tables, 1 layout, 3 linkages; no problems found."))
    }

    @Test func lintNamesTheLineOfAGeneralZoneReceiverGivenMyNumber() throws {
        let directory = try CLIRunner.copyOfSampleContracts()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("linkages/resident-change.yaml")
        let original = try String(contentsOf: file, encoding: .utf8)
        // Give the general-zone custom-measure system C001 the item 個人番号.
        let broken = original.replacingOccurrences(
            of: "items: [宛名番号, 世帯番号, 住民状態, 異動年月日, 異動事由, 生年月日, 続柄, 住所_町字コード]",
            with: "items: [宛名番号, 世帯番号, 住民状態, 異動年月日, 異動事由, 生年月日, 続柄, 住所_町字コード, 個人番号]")
        #expect(broken != original)
        try broken.write(to: file, atomically: true, encoding: .utf8)
        let receiverLine =
            try #require(
                broken.split(separator: "\n", omittingEmptySubsequences: false)
                    .firstIndex { $0.contains("system: C001") }) + 1

        let result = try CLIRunner.run(["contract", "lint", directory.path])
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "\(file.path):\(receiverLine):5: error[mynumber-outside-zone]: The receiver `C001` (子育て応援ポイント)"))
        #expect(result.stdout.contains("1 error: the contracts do not load."))
    }

    @Test func lintReportsJSONForTools() throws {
        let directory = try CLIRunner.copyOfSampleContracts()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "systems: [".write(to: directory.appendingPathComponent("systems.yaml"), atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["contract", "lint", directory.path, "--format", "json"])
        #expect(result.status == 1)
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["loads"] as? Bool == false)
        let diagnostics = try #require(report["diagnostics"] as? [[String: Any]])
        let codes = Set(diagnostics.compactMap { $0["code"] as? String })
        // The broken systems file is reported, and so is every linkage that can no longer find its systems.
        #expect(codes.contains("malformed-yaml"))
        #expect(codes.contains("unknown-system"))
        let malformed = try #require(diagnostics.first { $0["code"] as? String == "malformed-yaml" })
        #expect((malformed["file"] as? String)?.hasSuffix("systems.yaml") == true)
        #expect((malformed["line"] as? Int ?? 0) >= 1)
    }

    @Test func showListsExactlyTheItemsOfEachReceiver() throws {
        let result = try CLIRunner.run(["contract", "show", "resident-change", "--format", "json"])
        #expect(result.status == 0)
        let linkage = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let receivers = try #require(linkage["receivers"] as? [[String: Any]])
        let items = Dictionary(
            uniqueKeysWithValues: receivers.map { receiver in
                (
                    (receiver["system"] as? [String: Any])?["id"] as? String ?? "",
                    (receiver["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                )
            })
        #expect(items["C001"] == ["宛名番号", "世帯番号", "住民状態", "異動年月日", "異動事由", "生年月日", "続柄", "住所_町字コード"])
        #expect(items["018"]?.count == 30)
        #expect(items["017"]?.contains("個人番号") == true)

        let text = try CLIRunner.run(["contract", "show", "resident-change"])
        #expect(text.stdout.contains("[4] C001 子育て応援ポイント (general zone), pull delivery, 8 of 30 items"))
    }

    @Test func unknownLinkageIsUnusableInput() throws {
        let result = try CLIRunner.run(["contract", "show", "no-such-linkage"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("There is no linkage `no-such-linkage`; known linkages: resident-change"))
    }

    @Test func brokenContractsMakeShowExitWithTwo() throws {
        let result = try CLIRunner.run(["contract", "show", "--contracts", "/nonexistent/contracts"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("error[missing-file]"))
    }
}
