import Foundation
import Testing

/// `renkei contract diff` on proposed contract sets under `DiffFixtures/`: each folder holds the files that differ
/// from the sample `contracts/` (and `remove.txt`, files to delete), and `expected.txt`, the report after its first
/// line.
@Suite struct ContractDiffCommandTests {
    static let fixtures = CLIRunner.repositoryRoot.appendingPathComponent("Tests/RenkeiCLITests/DiffFixtures")

    static var caseNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? []).sorted()
    }

    /// The sample contracts with the case's files laid over them.
    static func proposed(_ name: String) throws -> URL {
        let target = try CLIRunner.copyOfSampleContracts()
        let overlay = fixtures.appendingPathComponent(name)
        let enumerator = FileManager.default.enumerator(at: overlay, includingPropertiesForKeys: [.isRegularFileKey])
        while let file = enumerator?.nextObject() as? URL {
            guard (try file.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            let relative = String(file.standardizedFileURL.path.dropFirst(overlay.standardizedFileURL.path.count + 1))
            if relative == "expected.txt" { continue }
            if relative == "remove.txt" {
                for path in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                    try FileManager.default.removeItem(at: target.appendingPathComponent(String(path)))
                }
                continue
            }
            let destination = target.appendingPathComponent(relative)
            try FileManager.default.createDirectory(
                at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: destination)
            try FileManager.default.copyItem(at: file, to: destination)
        }
        return target
    }

    @Test(arguments: caseNames)
    func reportsTheFixturesChangesAndExitsOnGrowth(_ name: String) throws {
        let proposed = try Self.proposed(name)
        defer { try? FileManager.default.removeItem(at: proposed) }
        let expected = try String(
            contentsOf: Self.fixtures.appendingPathComponent("\(name)/expected.txt"), encoding: .utf8)

        let result = try CLIRunner.run(["contract", "diff", "contracts", proposed.path])
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "contract diff: contracts → \(proposed.path)")
        #expect(lines.dropFirst(2).joined(separator: "\n") == expected, "\(result.stdout)\(result.stderr)")
        #expect(result.status == (expected.contains("(exit 3)") ? 3 : 0))
    }

    @Test func fixturesShowEveryKindOfFlaggedCase() {
        // The table above must keep covering growth with 個人番号, with personal items, and shrink-only changes.
        #expect(
            Set(Self.caseNames).isSuperset(of: ["sensitive-gains", "shrink-only", "new-linkage", "layout-version"]))
    }

    @Test func identicalFoldersReportNoChangesAndExitZero() throws {
        let result = try CLIRunner.run(["contract", "diff", "contracts", "contracts"])
        #expect(result.status == 0)
        #expect(result.stdout == "contract diff: contracts → contracts\nNo changes.\n")
    }

    @Test func jsonPutsTheMyNumberGainFirstAndNeverShowsSecretHashes() throws {
        let proposed = try Self.proposed("sensitive-gains")
        defer { try? FileManager.default.removeItem(at: proposed) }
        let other = try Self.proposed("other-only")
        defer { try? FileManager.default.removeItem(at: other) }

        let result = try CLIRunner.run(["contract", "diff", "contracts", proposed.path, "--format", "json"])
        #expect(result.status == 3)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["entitlementsGrow"] as? Bool == true)
        let entitlements = try #require(report["entitlements"] as? [[String: Any]])
        let first = try #require(entitlements.first)
        #expect(first["change"] as? String == "items-gained")
        #expect(first["sensitivity"] as? String == "mynumber")
        #expect(first["linkage"] as? String == "resident-query")
        #expect(first["system"] as? String == "017")
        #expect((first["items"] as? [[String: Any]])?.compactMap { $0["key"] as? String } == ["my_number"])

        let rotated = try CLIRunner.run(["contract", "diff", "contracts", other.path, "--format", "json"])
        #expect(rotated.status == 0)
        #expect(rotated.stdout.contains("credentials.secret"))
        #expect(!rotated.stdout.contains("4c832d124a57b1a4618b6aea32e5fd37482a4109289d92819735634417dc3371"))
        #expect(!rotated.stdout.contains("5f2b8a1a0d6b7c4e9e3f1d2c3b4a5968"))
    }

    @Test func aFolderThatDoesNotLoadExitsTwoNamingIt() throws {
        let broken = try CLIRunner.copyOfSampleContracts()
        defer { try? FileManager.default.removeItem(at: broken) }
        try "systems: [".write(to: broken.appendingPathComponent("systems.yaml"), atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["contract", "diff", "contracts", broken.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("systems.yaml:"))
        #expect(result.stderr.contains("contract diff: \(broken.path) does not load"))
        #expect(result.stdout.isEmpty)
    }
}
