import Foundation
import RenkeiContracts
import Testing

@Suite struct DiagnosticRuleTests {
    @Test func baseFixtureLoadsWithoutDiagnostics() throws {
        let report = ContractLoader.check(directory: FixtureSet.root.appendingPathComponent("base").path)
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        #expect(report.contracts != nil)
    }

    /// Each broken fixture reports exactly its expected errors (code, file and line) and does not load.
    @Test(arguments: FixtureSet.caseNames)
    func reportsExactlyTheExpectedErrors(fixture: String) throws {
        let directory = try FixtureSet.materialize(fixture)
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = ContractLoader.check(directory: directory.path)
        #expect(FixtureSet.summarize(report.diagnostics, relativeTo: directory) == (try FixtureSet.expected(fixture)))
        #expect(report.contracts == nil)
        #expect(throws: ContractLoadError.self) { try ContractLoader.load(directory: directory.path) }
    }

    @Test func everyDiagnosticCodeHasAFixture() throws {
        var covered: Set<String> = []
        for name in FixtureSet.caseNames {
            for line in try FixtureSet.expected(name) { covered.insert(String(line.prefix { $0 != " " })) }
        }
        // Codes about files that cannot be expressed as an overlay are covered by `reportsMissingFolders`.
        let all: [DiagnosticCode] = [
            .malformedYAML, .missingField, .unknownField, .wrongShape, .invalidValue, .duplicateID, .unknownSystem,
            .unknownLayout, .unknownLayoutVersion, .unknownItem, .unknownCodeTable, .codeTableMismatch,
            .characterRuleContradictsType, .lengthMismatch, .keyNotRequired, .mynumberKey, .keyNotProjected,
            .receiverIsProvider, .mynumberOutsideZone, .missingEndpoint, .triggerContradictsMode, .noReceivers,
        ]
        for code in all { #expect(covered.contains(code.rawValue), "no fixture exercises \(code)") }
    }

    @Test func reportsMissingFolders() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-empty-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = ContractLoader.check(directory: directory.path)
        #expect(
            FixtureSet.summarize(report.diagnostics, relativeTo: directory) == [
                "missing-file layouts:1", "missing-file linkages:1", "missing-file systems.yaml:1",
            ])
        let missing = ContractLoader.check(directory: directory.appendingPathComponent("nowhere").path)
        #expect(missing.errors.map(\.code) == [.missingFile])
    }

    @Test func messagesNameTheReceiverAndTheItem() throws {
        let directory = try FixtureSet.materialize("mynumber-to-general-zone")
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try #require(ContractLoader.check(directory: directory.path).errors.first)
        #expect(error.message.contains("C001"))
        #expect(error.message.contains("個人番号"))
        #expect(
            error.description.hasPrefix(
                "\(directory.path)/linkages/person-change.yaml:13:5: error[mynumber-outside-zone]: "))
    }

    @Test func malformedYAMLDoesNotEchoTheFile() throws {
        let directory = try FixtureSet.materialize("malformed-yaml")
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try #require(ContractLoader.check(directory: directory.path).errors.first)
        #expect(error.code == .malformedYAML)
        #expect(!error.message.contains("atena_number"))
    }

    /// Lines are numbered as editors number them: a lone CR ends a line as LF does, and a NEL, LS or PS — which
    /// YAML would count as a line break where editors show none — is refused where it stands (found by the fuzzer).
    @Test(arguments: [
        ("\n", 5, nil), ("\r", 5, nil), ("\r\n", 5, nil), ("\u{2028}", 2, "U+2028 (LS)"),
        ("\u{85}", 2, "U+0085 (NEL)"), ("\u{2029}", 2, "U+2029 (PS)"),
    ])
    func reportsLinesAsEditorsCountThem(_ separator: String, _ line: Int, _ named: String?) throws {
        let directory = try FixtureSet.materialize("malformed-yaml")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("systems.yaml")
        // Line 2 ends with the separator; the mapping at line 4 is broken, which YAML finds on line 5.
        let text = "systems:\n  - id: \"001\"\(separator)    name: x\nbroken line\n  y: [\n"
        try Data(text.utf8).write(to: file)
        let error = try #require(
            ContractLoader.check(directory: directory.path).errors.first { $0.location.file == file.path })
        #expect(error.code == .malformedYAML)
        #expect(error.location.line == line, "\(error)")
        if let named { #expect(error.message.contains(named), "\(error)") }
    }
}
