import Foundation
import RenkeiCodec
import RenkeiContracts
import RenkeiTestSupport
import Testing

@testable import RenkeiBus

/// Inbox files in a provider's `inbox-encoding`.
@Suite(.serialized) struct InboxEncodingTests {
    private func dataDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-inbox-\(UUID())").path
        try FileManager.default.createDirectory(
            atPath: path + "/inbox/001/resident-change", withIntermediateDirectories: true)
        return path
    }

    @Test func aCP932FileIsIngestedWhereTheContractSaysCP932() async throws {
        let contracts = try contractsCopy(
            editing: "systems.yaml", replacing: "inbox: file:inbox/001",
            with: "inbox: file:inbox/001\n      inbox-encoding: cp932")
        let data = try dataDirectory()
        let inbox = data + "/inbox/001/resident-change"
        try await BusHarness.with(contracts: contracts, configure: { $0.dataDirectory = data }) { harness in
            #expect(harness.contracts.system("001")?.endpoints.inboxEncoding == .cp932)
            let csv = legacyCSV(harness.residentsCSV(260).csv, rows: 200).legacy
            try Data(csv).write(to: URL(fileURLWithPath: inbox + "/sjis.csv"))
            let result = try #require(try await harness.bus.ingestInbox(of: "001").first)
            #expect(result.outcome == "ingested", "\(result.message ?? "")")
            #expect(result.accepted == 200)
            let feed = try await harness.feed("resident-change", "018")
            #expect(feed.count == 200)
        }
    }

    @Test func aCP932FileInAUTF8InboxIsRefusedWithOneErrorNamingCP932() async throws {
        let data = try dataDirectory()
        let inbox = data + "/inbox/001/resident-change"
        try await BusHarness.with(configure: { $0.dataDirectory = data }) { harness in
            let csv = legacyCSV(harness.residentsCSV(1200).csv, rows: 1000).legacy
            try Data(csv).write(to: URL(fileURLWithPath: inbox + "/legacy.csv"))
            let result = try #require(try await harness.bus.ingestInbox(of: "001").first)
            #expect(result.outcome == "refused")
            #expect(result.message?.hasPrefix("The input is not UTF-8: it looks like CP932 (Shift_JIS)") == true)
            #expect(result.message?.contains("inbox-encoding: cp932") == true)
            #expect(result.errors.map(\.reason) == ["wrong-encoding"])
            #expect(FileManager.default.fileExists(atPath: inbox + "/failed/legacy.csv.result.json"))
        }
    }

    @Test func anUnknownInboxEncodingIsAContractError() throws {
        let contracts = try contractsCopy(
            editing: "systems.yaml", replacing: "inbox: file:inbox/001",
            with: "inbox: file:inbox/001\n      inbox-encoding: euc-jp")
        #expect {
            try ContractLoader.load(directory: contracts)
        } throws: { error in
            "\(error)".contains("`inbox-encoding` is `euc-jp`; it must be `utf-8`, `cp932` or `shift_jis`.")
                && "\(error)".contains("invalid-value")
        }
    }
}
