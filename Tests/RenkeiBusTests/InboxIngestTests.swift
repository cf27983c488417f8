import Foundation
import RenkeiContracts
import Testing

@testable import RenkeiBus

/// Providers' inboxes: CSV dropped under `<inbox>/<linkage>/` is ingested as a bulk transfer, then moved aside
/// with a result file; the same file is never ingested twice.
@Suite(.serialized) struct InboxIngestTests {
    private func dataDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-inbox-\(UUID())").path
        try FileManager.default.createDirectory(
            atPath: path + "/inbox/001/resident-change", withIntermediateDirectories: true)
        return path
    }

    private func read(_ path: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) }

    @Test func aValidFileBecomesATransferAndMovesToDone() async throws {
        let data = try dataDirectory()
        let inbox = data + "/inbox/001/resident-change"
        try await BusHarness.with(configure: { $0.dataDirectory = data }) { harness in
            let (csv, _) = harness.residentsCSV(300)
            try Data(csv).write(to: URL(fileURLWithPath: inbox + "/changes-0001.csv"))
            // A file still being uploaded under a hidden name is left alone.
            try Data(csv.prefix(100)).write(to: URL(fileURLWithPath: inbox + "/.changes-0002.csv"))
            let results = try await harness.bus.ingestInbox(of: "001")
            #expect(FileManager.default.fileExists(atPath: inbox + "/.changes-0002.csv"))
            let result = try #require(results.first)
            #expect(results.count == 1)
            #expect(result.outcome == "ingested")
            #expect(result.accepted == 300)
            #expect(!FileManager.default.fileExists(atPath: inbox + "/changes-0001.csv"))
            #expect(try read(inbox + "/done/changes-0001.csv") == csv)
            let written = try #require(InboxResult.decode(try read(inbox + "/done/changes-0001.csv.result.json")))
            #expect(written.transfer == result.transfer)
            #expect(try await harness.feed("resident-change", "018").count == 300)

            // The same file again (same name, same bytes): moved aside, not delivered twice.
            try Data(csv).write(to: URL(fileURLWithPath: inbox + "/changes-0001.csv"))
            let again = try #require(try await harness.bus.ingestInbox(of: "001").first)
            #expect(again.outcome == "already-ingested")
            #expect(again.transfer == result.transfer)
            #expect(try await harness.feed("resident-change", "018").count == 300)

            // Another bus on the same cluster (a restart, or a second instance) knows it too: the history, not
            // memory, says the file was ingested.
            var configuration = harness.bus.configuration
            configuration.instance = "second"
            let second = try await Bus.start(
                contracts: harness.contracts, configuration: configuration, logger: harness.logger)
            try Data(csv).write(to: URL(fileURLWithPath: inbox + "/changes-0001.csv"))
            let third = try #require(try await second.ingestInbox(of: "001").first)
            await second.shutdown()
            #expect(third.outcome == "already-ingested")
        }
    }

    @Test func anInvalidFileMovesToFailedWithRowsAndReasonsButNoValues() async throws {
        let data = try dataDirectory()
        let inbox = data + "/inbox/001/resident-change"
        try await BusHarness.with(configure: { $0.dataDirectory = data }) { harness in
            var text = String(decoding: harness.residentsCSV(5).csv, as: UTF8.self)
            var lines = text.components(separatedBy: "\r\n")
            if lines.count < 3 { lines = text.components(separatedBy: "\n") }
            // Row 2: 性別 (a code item) gets a value outside its code table.
            let header = lines[0].components(separatedBy: ",")
            let column = try #require(header.firstIndex(of: "性別"))
            var fields = lines[2].components(separatedBy: ",")
            fields[column] = "SECRET-9"
            lines[2] = fields.joined(separator: ",")
            text = lines.joined(separator: "\r\n")
            try Data(text.utf8).write(to: URL(fileURLWithPath: inbox + "/bad.csv"))
            let result = try #require(try await harness.bus.ingestInbox(of: "001").first)
            #expect(result.outcome == "refused")
            #expect(result.invalid == 1)
            let error = try #require(result.errors.first)
            #expect(error.row == 2)
            #expect(error.line == 3)
            #expect(error.item == "性別")
            #expect(FileManager.default.fileExists(atPath: inbox + "/failed/bad.csv"))
            let written = try read(inbox + "/failed/bad.csv.result.json")
            #expect(!String(decoding: written, as: UTF8.self).contains("SECRET-9"))
            #expect(try await harness.feed("resident-change", "018").isEmpty)
        }
    }
}
