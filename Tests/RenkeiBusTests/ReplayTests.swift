import Foundation
import Logging
import RenkeiBus
import RenkeiContracts
import RenkeiKafka
import Testing

@Suite(.serialized) struct ReplayTests {
    /// A row with a nationality code the contracts did not know is quarantined; the operator adds the code to the
    /// contracts, and the replay delivers the row once, with its original event id.
    @Test func replayedDeadLetterArrivesOnceWithItsEventID() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (csv, _) = harness.residentsCSV(50)
            var lines = String(decoding: csv, as: UTF8.self).components(separatedBy: "\r\n")
            var fields = lines[7].components(separatedBy: ",")
            let nationality = try #require(harness.layout.index(of: "nationality_code"))
            fields[nationality] = "999"
            lines[7] = fields.joined(separator: ",")
            let receipt = try await harness.bus.provideBulk(
                linkage: "resident-register-daily", provider: "001", format: .csv,
                chunks: ChunkedBytes(bytes: Array(lines.joined(separator: "\r\n").utf8), chunkSize: 4096))
            #expect(receipt.quarantined == 1)
            let letter = try #require(
                try await DeadLetterReader(bus: harness.bus).list(DeadLetterFilter(reason: "unknown-code")).first)
            let eventID = try #require(letter.envelope?.id)

            // With today's contracts the row is still invalid.
            let unchanged = try await harness.bus.replay(letter.reference, dryRun: false)
            #expect(unchanged.result == .stillInvalid(reasons: ["unknown-code"]))

            // The operator adds the code; a bus on the new contracts replays the letter.
            let fixed = try Self.contractsWithNationality("999", from: BusHarness.contractsDirectory)
            defer { try? FileManager.default.removeItem(atPath: fixed) }
            var configuration = harness.bus.configuration
            configuration.instance += "-fixed"
            let bus = try await Bus.start(
                contracts: try ContractLoader.load(directory: fixed), configuration: configuration,
                logger: harness.logger)
            let dryRun = try await bus.replay(letter.reference)
            #expect(dryRun.result == .delivered(receivers: ["008", "018", "C001"]) && !dryRun.performed)
            let replayed = try await bus.replay(letter.reference, dryRun: false)
            #expect(replayed.performed)
            let again = try await bus.replay(letter.reference, dryRun: false)
            guard case .alreadyReplayed = again.result else {
                Issue.record("a second replay went through: \(again.result)")
                return
            }
            await bus.shutdown()

            let feed = try await harness.feed("resident-register-daily", "018")
            let copies = feed.filter { $0.envelope.id == eventID }
            #expect(copies.count == 1)
            #expect(feed.count == 49 + 1)
            let replays = try await harness.history(HistoryFilter(kind: .replay))
            #expect(replays.count == 3)
            #expect(replays.allSatisfy { $0.deadLetter == letter.reference.description && $0.events == [eventID] })
            let verification = try await HistoryReader(bus: harness.bus).verify()
            #expect(verification.isIntact, "\(verification.problems)")
        }
    }

    static func contractsWithNationality(_ code: String, from directory: String) throws -> String {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-contracts-\(UUID())").path
        try FileManager.default.copyItem(atPath: directory, toPath: target)
        let codes = target + "/codes/resident.yaml"
        let text = try String(contentsOfFile: codes, encoding: .utf8)
        try text.replacingOccurrences(
            of: "      \"840\": アメリカ合衆国", with: "      \"840\": アメリカ合衆国\n      \"\(code)\": 無国籍"
        )
        .write(toFile: codes, atomically: true, encoding: .utf8)
        return target
    }
}
