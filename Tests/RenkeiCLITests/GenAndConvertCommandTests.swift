import Foundation
import Testing

@Suite struct GenAndConvertCommandTests {
    @Test func genIsDeterministicBySeed() throws {
        let arguments = ["gen", "residents", "--count", "300", "--contracts", CodecCommandRunner.contracts]
        let first = try CodecCommandRunner.run(arguments + ["--seed", "5"])
        let second = try CodecCommandRunner.run(arguments + ["--seed", "5"])
        let other = try CodecCommandRunner.run(arguments + ["--seed", "6"])
        #expect(first.status == 0)
        #expect(first.stdout == second.stdout)
        #expect(first.stdout != other.stdout)
        #expect(first.text.split(separator: "\r\n").count == 301)
        #expect(first.text.hasPrefix("宛名番号,世帯番号,"))
    }

    @Test func genWritesJSONLinesOfAboutTheTargetSize() throws {
        let result = try CodecCommandRunner.run([
            "gen", "residents", "--count", "1000", "--format", "jsonl", "--contracts", CodecCommandRunner.contracts,
        ])
        let lines = result.text.split(separator: "\n")
        #expect(lines.count == 1000)
        for line in lines.prefix(20) {
            #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
        }
        let average = result.stdout.count / lines.count
        #expect(average > 400 && average < 800)
    }

    @Test func convertRoundTripsCSVThroughJSONLines() throws {
        let directory = try CodecCommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("a.csv")
        let jsonl = directory.appendingPathComponent("b.jsonl")
        let back = directory.appendingPathComponent("c.csv")
        let contracts = ["--contracts", CodecCommandRunner.contracts]
        _ = try CodecCommandRunner.run(["gen", "residents", "--count", "700", "--output", csv.path] + contracts)
        let toJSON = try CodecCommandRunner.run(
            ["convert", "--layout", "resident-record", csv.path, "--to", "jsonl", "--output", jsonl.path] + contracts)
        #expect(toJSON.status == 0, "\(toJSON.stderr)")
        let toCSV = try CodecCommandRunner.run(
            ["convert", "--layout", "resident-record", jsonl.path, "--to", "csv", "--output", back.path] + contracts)
        #expect(toCSV.status == 0, "\(toCSV.stderr)")
        #expect(try Data(contentsOf: csv) == Data(contentsOf: back))
    }

    @Test func convertSkipsInvalidRecordsAndExitsWithOne() throws {
        let directory = try CodecCommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.jsonl")
        let contracts = ["--contracts", CodecCommandRunner.contracts]
        let generated = try CodecCommandRunner.run(
            ["gen", "residents", "--count", "10", "--format", "jsonl"] + contracts)
        var lines = generated.text.split(separator: "\n").map(String.init)
        lines[3] = lines[3].replacingOccurrences(of: "\"sex\":\"1\"", with: "\"sex\":\"7\"")
            .replacingOccurrences(of: "\"sex\":\"2\"", with: "\"sex\":\"7\"")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: input)
        let result = try CodecCommandRunner.run(
            ["convert", "--layout", "resident-record", input.path, "--to", "csv", "--header", "keys"] + contracts)
        #expect(result.status == 1)
        #expect(result.text.split(separator: "\r\n").count == 10)
        #expect(result.text.hasPrefix("atena_number,"))
        #expect(result.stderr.contains("record 4 (line 4) sex (性別): unknown-code"))
        #expect(result.stderr.contains("skipped 1 invalid"))
    }

    @Test func convertProjectsToAReceiversItems() throws {
        let contracts = ["--contracts", CodecCommandRunner.contracts]
        let directory = try CodecCommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("a.csv")
        _ = try CodecCommandRunner.run(["gen", "residents", "--count", "5", "--output", csv.path] + contracts)
        let unknown = try CodecCommandRunner.run(
            [
                "convert", "--layout", "resident-record", csv.path, "--to", "jsonl", "--linkage", "nope", "--receiver",
                "x",
            ]
                + contracts)
        #expect(unknown.status == 2)
        let projected = try CodecCommandRunner.run(
            [
                "convert", "--layout", "resident-record", csv.path, "--to", "jsonl", "--linkage", "resident-change",
                "--receiver", "C001",
            ] + contracts)
        #expect(projected.status == 0, "\(projected.stderr)")
        for line in projected.text.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(
                object.keys.sorted() == [
                    "atena_number", "birth_date", "change_date", "change_reason", "household_number", "relationship",
                    "resident_status", "town_code",
                ])
        }
    }
}
