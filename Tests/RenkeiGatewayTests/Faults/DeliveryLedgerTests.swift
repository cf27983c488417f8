import RenkeiTestSupport
import Testing

/// The fault suites' ledger finds each broken invariant it is meant to find.
@Suite struct DeliveryLedgerTests {
    @Test func countsLostCopiedUnacknowledgedAndForeignRecordsPerReceiver() {
        var ledger = DeliveryLedger()
        ledger.submitted(keys: ["a", "b", "c"], eventIDs: ["ea", "eb", "ec"], .acknowledged)
        ledger.submitted(key: "d", .unacknowledged)
        ledger.submitted(key: "e", .unanswered)
        for (key, id) in [("a", "ea"), ("a", "ea"), ("b", "eb"), ("b", "other"), ("d", "ed"), ("x", "ex")] {
            ledger.delivered(to: "017", key: key, eventID: id)
        }
        ledger.delivered(to: "018", key: "e", eventID: "ee")
        let push = ledger.tally("017")
        #expect(push.acknowledged == 3 && push.unacknowledged == 1 && push.unanswered == 1)
        #expect(push.delivered == 4 && push.duplicated == 2)
        #expect(push.lost == ["c"])
        #expect(push.unacknowledgedDelivered == ["d"])
        #expect(push.unknownDelivered == ["x"])
        #expect(push.duplicatesWithOtherEventID == ["b"])
        #expect(!push.holds)
        #expect(ledger.tally("018").lost == ["a", "b", "c"], "an unanswered record may arrive; acknowledged must")
        let expected =
            "fault example receiver 017: acknowledged 3, unanswered 1, unacknowledged 1, delivered 4, "
            + "duplicated 2, lost 1, unacknowledged-delivered 1, foreign 1, other-event-id 1"
        #expect(ledger.report("example").split(separator: "\n").map(String.init).first == expected)
    }
}
