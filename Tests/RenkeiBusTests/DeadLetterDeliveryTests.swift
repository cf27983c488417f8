import Foundation
import Testing

@testable import RenkeiBus

@Suite(.serialized) struct DeadLetterDeliveryTests {
    @Test func aDeliveryOfMoreThanOneRecordIsDeadLetteredWithItsDescriptionAndHistoryEntry() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let first = Date(timeIntervalSince1970: 1_800_000_000)
            let failure = DeliveryFailure(
                transfer: "t-42", recordCount: 1200, reason: "storage-unreachable",
                message: "the folder could not be written (after 5 attempts)", attempts: 5, firstFailure: first,
                lastFailure: first.addingTimeInterval(30))
            let description = Array(#"{"file":"resident-change-t-42.csv","records":1200}"#.utf8)
            try await harness.bus.deadLetterDelivery(
                failure, linkage: "resident-change", receiver: "017", description: description)

            let letters = try await DeadLetterReader(bus: harness.bus).list(DeadLetterFilter(receiver: "017"))
            let letter = try #require(letters.first)
            #expect(letters.count == 1)
            #expect(letter.stage == "delivery" && letter.reasons == ["storage-unreachable"] && letter.attempts == 5)
            #expect(letter.message == failure.message)
            #expect(letter.envelope?.transfer == "t-42" && letter.envelope?.linkage == "resident-change")
            #expect(letter.originalTopic == nil)
            #expect(letter.firstFailure == first)
            let shown = try await DeadLetterReader(bus: harness.bus).show(letter.reference)
            #expect(shown?.value == description)

            let entries = try await harness.history(HistoryFilter(kind: .deadLetter))
            let entry = try #require(entries.first)
            #expect(entries.count == 1)
            #expect(entry.outcome == "failed" && entry.reason == "storage-unreachable" && entry.recordCount == 1200)
            #expect(entry.transfer == "t-42" && entry.receiver == "017")
            #expect(entry.deadLetter == letter.reference.description)
        }
    }

    @Test func aSystemThatIsNotAReceiverOfTheLinkageIsRefused() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let failure = DeliveryFailure(reason: "x", message: "x", attempts: 1, firstFailure: Date())
            await #expect(throws: ReplayError.self) {
                try await harness.bus.deadLetterDelivery(
                    failure, linkage: "resident-change", receiver: "999", description: [])
            }
        }
    }
}
