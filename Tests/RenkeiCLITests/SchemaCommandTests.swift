import Foundation
import Testing

/// The schemas `renkei contract schema` prints, checked by an independent validator (Python's `jsonschema`,
/// draft 2020-12, with format checking) against the sample records in docs/examples.
@Suite struct SchemaCommandTests {
    static let samples = CLIRunner.repositoryRoot.appendingPathComponent("docs/examples/resident-record.jsonl")

    @Test func layoutSchemaAcceptsTheSampleRecords() throws {
        let schema = try CLIRunner.run(["contract", "schema", "resident-record"])
        #expect(schema.status == 0, "\(schema.stderr)")
        let result = try validate(schema: schema.stdout, records: try String(contentsOf: Self.samples, encoding: .utf8))
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("valid 4 invalid 0"))
    }

    @Test func layoutSchemaRejectsBrokenRecords() throws {
        let schema = try CLIRunner.run(["contract", "schema", "resident-record@1.0"])
        let good = try #require(try String(contentsOf: Self.samples, encoding: .utf8).split(separator: "\n").first)
        let broken = [
            good.replacingOccurrences(of: #""sex": "1""#, with: #""sex": "7""#),  // not in the code table
            good.replacingOccurrences(of: #""name_kana": "ヤマダ　タロウ""#, with: #""name_kana": "やまだ""#),  // hiragana
            good.replacingOccurrences(of: #""postal_code": "1000005""#, with: #""postal_code": "100-0005""#),
            good.replacingOccurrences(of: #""atena_number": "000000000012345", "#, with: ""),  // required
            good.replacingOccurrences(of: #""alias": """#, with: #""alias": "", "nickname": "x""#),  // unknown item
        ]
        #expect(Set(broken).count == broken.count && !broken.contains(String(good)))
        let result = try validate(schema: schema.stdout, records: broken.joined(separator: "\n"))
        #expect(result.stdout.contains("valid 0 invalid 5"), "\(result.stdout)\(result.stderr)")
    }

    @Test func receiverSchemaHasOnlyTheReceiversItems() throws {
        let schema = try CLIRunner.run([
            "contract", "schema", "resident-record", "--receiver", "C001", "--linkage", "resident-change",
        ])
        #expect(schema.status == 0, "\(schema.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(schema.stdout.utf8)) as? [String: Any])
        let properties = try #require(document["properties"] as? [String: Any])
        #expect(properties.count == 8)
        #expect(properties["my_number"] == nil)
        #expect(document["additionalProperties"] as? Bool == false)

        // The sample records, projected to C001's items, pass; the full records do not.
        let records = try String(contentsOf: Self.samples, encoding: .utf8)
        let projected = try records.split(separator: "\n").map { line in
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let kept = record.filter { properties[$0.key] != nil }
            return String(decoding: try JSONSerialization.data(withJSONObject: kept), as: UTF8.self)
        }.joined(separator: "\n")
        #expect(try validate(schema: schema.stdout, records: projected).stdout.contains("valid 4 invalid 0"))
        #expect(try validate(schema: schema.stdout, records: records).stdout.contains("valid 0 invalid 4"))
    }

    @Test func receiverNeedsItsLinkage() throws {
        let result = try CLIRunner.run(["contract", "schema", "resident-record", "--receiver", "C001"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--receiver and --linkage go together"))
    }

    /// Validates each JSON line of `records` against `schema` with Python's jsonschema; prints `valid N invalid M`.
    private func validate(schema: String, records: String) throws -> CLIRunner.Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-schema-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try schema.write(to: directory.appendingPathComponent("schema.json"), atomically: true, encoding: .utf8)
        let script = """
            import json, sys
            from jsonschema import Draft202012Validator
            schema = json.load(open(sys.argv[1], encoding="utf-8"))
            Draft202012Validator.check_schema(schema)
            validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
            valid = invalid = 0
            for line in sys.stdin.read().splitlines():
                if not line.strip():
                    continue
                errors = list(validator.iter_errors(json.loads(line)))
                if errors:
                    invalid += 1
                    print("invalid:", "; ".join(e.message[:80] for e in errors), file=sys.stderr)
                else:
                    valid += 1
            print("valid", valid, "invalid", invalid)
            """
        return try CLIRunner.runProcess(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", "-c", script, directory.appendingPathComponent("schema.json").path],
            input: Data(records.utf8))
    }
}
