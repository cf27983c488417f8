import Foundation
import Testing

@testable import RenkeiBus

/// The console's questions to the history index: activity per linkage and receiver, the last delivery, and which
/// dead letters were replayed.
@Suite struct HistoryIndexActivityTests {
    typealias Fixture = HistoryIndexFixture

    static func delivery(_ minutes: Double, _ linkage: String, to receiver: String, records: Int) -> HistoryEntry {
        HistoryEntry(
            time: Fixture.at(minutes), kind: .delivery, linkage: linkage, provider: "001", receiver: receiver,
            recordCount: records, outcome: "ok")
    }

    static let periodEntries = [
        delivery(-60, "resident-change", to: "017", records: 5),
        delivery(1, "resident-change", to: "017", records: 3),
        delivery(2, "resident-change", to: "017", records: 4),
        delivery(3, "resident-change", to: "018", records: 2),
        HistoryEntry(
            time: Fixture.at(4), kind: .refusal, linkage: "resident-change", provider: "001", recordCount: 7,
            outcome: "refused", reason: "invalid-rows"),
        HistoryEntry(
            time: Fixture.at(5), kind: .provide, linkage: "resident-change", provider: "001", receiver: "017",
            recordCount: 3, outcome: "ok"),
        delivery(6, "tax-notice", to: "017", records: 1),
        delivery(10, "resident-change", to: "017", records: 9),
    ]

    @Test func activityGroupsByLinkageReceiverAndKindWithinTheClosedPeriod() async throws {
        let fixture = try await Fixture.make(Self.periodEntries)
        // Both ends are included: the entries at minute 1 and minute 6 count, those at -60 and 10 do not.
        let bounded = try await fixture.indexer.activity(since: Fixture.at(1), until: Fixture.at(6))
        #expect(
            bounded == [
                LinkageActivity(
                    linkage: "resident-change", receiver: nil, kind: .refusal, entries: 1, records: 7,
                    last: Fixture.at(4)),
                LinkageActivity(
                    linkage: "resident-change", receiver: "017", kind: .delivery, entries: 2, records: 7,
                    last: Fixture.at(2)),
                LinkageActivity(
                    linkage: "resident-change", receiver: "017", kind: .provide, entries: 1, records: 3,
                    last: Fixture.at(5)),
                LinkageActivity(
                    linkage: "resident-change", receiver: "018", kind: .delivery, entries: 1, records: 2,
                    last: Fixture.at(3)),
                LinkageActivity(
                    linkage: "tax-notice", receiver: "017", kind: .delivery, entries: 1, records: 1,
                    last: Fixture.at(6)),
            ])

        // No end: the delivery at minute 10 joins its group.
        let open = try await fixture.indexer.activity(since: Fixture.at(1))
        #expect(
            open.first { $0.receiver == "017" && $0.kind == .delivery && $0.linkage == "resident-change" }
                == LinkageActivity(
                    linkage: "resident-change", receiver: "017", kind: .delivery, entries: 3, records: 16,
                    last: Fixture.at(10)))
        #expect(open.count == 5)
        #expect(try await fixture.indexer.activity(since: Fixture.at(11)).isEmpty)
    }

    @Test func lastDeliveryIsTheNewestDeliveryOfThatLinkageToThatReceiver() async throws {
        let fixture = try await Fixture.make([
            Self.delivery(10, "resident-change", to: "017", records: 1),
            // Written later, but older: the answer goes by time.
            Self.delivery(1, "resident-change", to: "017", records: 1),
            Self.delivery(20, "tax-notice", to: "017", records: 1),
            HistoryEntry(
                time: Fixture.at(30), kind: .provide, linkage: "resident-change", provider: "001", receiver: "017",
                outcome: "ok"),
            HistoryEntry(
                time: Fixture.at(40), kind: .replay, linkage: "resident-change", receiver: "019", outcome: "replayed",
                deadLetter: "renkei.dlq.resident-change/0/3"),
        ])
        let indexer = fixture.indexer
        #expect(try await indexer.lastDelivery(linkage: "resident-change", receiver: "017") == Fixture.at(10))
        #expect(try await indexer.lastDelivery(linkage: "tax-notice", receiver: "017") == Fixture.at(20))
        // A replay is not a delivery; a receiver or linkage the history never named has none.
        #expect(try await indexer.lastDelivery(linkage: "resident-change", receiver: "019") == nil)
        #expect(try await indexer.lastDelivery(linkage: "resident-change", receiver: "C001") == nil)
        #expect(try await indexer.lastDelivery(linkage: "no-such-linkage", receiver: "017") == nil)
    }

    @Test func replaysGiveTheNewestReplayOfEachReplayedReferenceAcrossChunks() async throws {
        let count = 1_200
        let reference = { (number: Int) in "renkei.dlq.resident-change/0/\(number)" }
        var entries: [HistoryEntry] = []
        for number in 0..<count {
            entries.append(
                HistoryEntry(
                    time: Fixture.at(Double(number) / 10), kind: .deadLetter, linkage: "resident-change",
                    receiver: "017", outcome: "quarantined", reason: "invalid", deadLetter: reference(number)))
        }
        for number in stride(from: 0, to: count, by: 3) {
            entries.append(
                HistoryEntry(
                    time: Fixture.at(1_000 + Double(number)), kind: .replay, linkage: "resident-change",
                    receiver: "017", outcome: "replayed", deadLetter: reference(number)))
        }
        // A second replay of every ninth, newer; and reads of every letter, newer still, which are not replays.
        for number in stride(from: 0, to: count, by: 9) {
            entries.append(
                HistoryEntry(
                    time: Fixture.at(5_000 + Double(number)), kind: .replay, linkage: "resident-change",
                    receiver: "017", outcome: "replayed", deadLetter: reference(number)))
        }
        for number in 0..<count {
            entries.append(
                HistoryEntry(
                    time: Fixture.at(9_000), kind: .deadLetterRead, linkage: "resident-change", outcome: "masked",
                    deadLetter: reference(number), operatorID: "ops"))
        }
        let fixture = try await Fixture.make(entries)
        let asked = (0..<count).map(reference) + [reference(3), "renkei.dlq.resident-change/0/999999"]
        let replays = try await fixture.indexer.replays(of: asked)

        #expect(replays.count == count / 3)
        for number in 0..<count {
            let expected: Date? =
                number % 9 == 0
                ? Fixture.at(5_000 + Double(number))
                : number % 3 == 0 ? Fixture.at(1_000 + Double(number)) : nil
            #expect(replays[reference(number)] == expected, "\(reference(number))")
        }
        #expect(try await fixture.indexer.replays(of: []).isEmpty)
    }

    /// Each question walks its own index: none reads the whole table, however long the history.
    @Test func questionsWalkTheirIndexesNotTheTable() async throws {
        let fixture = try await Fixture.make(Self.periodEntries)
        let index = fixture.indexer.index
        let plans = [
            "activity": try await index.queryPlan(HistoryIndex.activitySQL(until: true)),
            "last delivery": try await index.queryPlan(HistoryIndex.lastDeliverySQL),
            "replays": try await index.queryPlan(HistoryIndex.replaysSQL(count: 2)),
        ]
        #expect(plans["activity"]?.contains("USING INDEX entries_time") == true, "\(plans)")
        #expect(plans["last delivery"]?.contains("USING INDEX entries_receiver") == true, "\(plans)")
        #expect(plans["replays"]?.contains("USING INDEX entries_dead_letter") == true, "\(plans)")
        for (question, plan) in plans {
            #expect(!plan.contains("SCAN e"), "\(question): \(plan)")
        }
    }
}
