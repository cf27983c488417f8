import Foundation
import RenkeiTestSupport
import Synchronization
import Testing

/// Webhooks that misbehave: one that flaps (5xx, answers after the bus stopped waiting, resets the connection) and
/// one that answers slowly. Every acknowledged record reaches it; copies come only from answers the bus did not
/// wait for, and carry the record's event id.
@Suite(.serialized) struct WebhookFaultSuite {
    @Test(.timeLimit(.minutes(1)))
    func aFlappingWebhookGetsEveryRecordAndCopiesOnlyOfThoseItAnsweredTooLate() async throws {
        // Each record's first attempt fails one of three ways, in turn; its second attempt is taken at once.
        let attempts = Mutex<[String: Int]>([:])
        let firsts = Atomic<Int>(0)
        let webhook = try ScriptedWebhook.start { _, headers in
            let id = headers["ce-id"] ?? ""
            let attempt = attempts.withLock { seen in
                seen[id, default: 0] += 1
                return seen[id]!
            }
            guard attempt == 1 else { return .status(204) }
            switch firsts.add(1, ordering: .relaxed).oldValue % 3 {
            case 0: return .status(503)
            case 1: return .reset
            default: return .late(.milliseconds(900), status: 204)
            }
        }
        defer { webhook.stop() }
        try await GatewayHarness.with(
            webhook: webhook.url, configure: { $0.outboundRequestTimeout = .milliseconds(300) }
        ) { harness in
            let provider = try await harness.token("sys-001")
            var ledger = DeliveryLedger()
            for batch in 0..<3 {
                let records = Residents.json(harness.bus.contracts, count: 10, skip: batch * 10)
                let reply = try await harness.call(
                    .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                    body: Residents.array(records))
                ledger.submitted(
                    keys: records.map(Residents.key), eventIDs: reply.json["eventIDs"] as? [String] ?? [],
                    reply.status == 201 ? .acknowledged : .unacknowledged)
            }
            try #require(ledger.keys(.acknowledged).count == 30)
            // Each record's second attempt is the one the bus waits for; the copies are in by then.
            _ = try await eventually { webhook.requests.count >= 60 }
            try await FaultRecords.readWebhook(
                webhook, receiver: "017", expected: ledger.keys(.acknowledged), into: &ledger)
            // A late answer is a record taken after the bus stopped waiting: its retry is the documented copy.
            let late = webhook.requests.filter {
                if case .late = $0.answer { return true }
                return false
            }
            print(ledger.report("webhook-flapping"))
            let tally = ledger.tally("017")
            #expect(tally.holds, "\(tally)")
            #expect(late.count == 10)
            #expect(tally.duplicated == late.count)
            #expect(webhook.requests.count == 60, "one failed and one taken attempt per record")
            #expect(webhook.requests.allSatisfy { SignatureCheck.isValid($0.headers, body: $0.body, system: "017") })
            let ops = try await harness.token("ops")
            let letters = try await harness.call(.GET, "/operations/dead-letters?receiver=017", token: ops)
            #expect((letters.json["deadLetters"] as? [Any])?.isEmpty == true)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aSlowWebhookGetsEveryRecordOnce() async throws {
        let webhook = try ScriptedWebhook.start { _, _ in .late(.milliseconds(150), status: 200) }
        defer { webhook.stop() }
        try await GatewayHarness.with(webhook: webhook.url) { harness in
            let provider = try await harness.token("sys-001")
            let records = Residents.json(harness.bus.contracts, count: 20, seed: 40)
            let reply = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                body: Residents.array(records))
            var ledger = DeliveryLedger()
            ledger.submitted(
                keys: records.map(Residents.key), eventIDs: reply.json["eventIDs"] as? [String] ?? [],
                reply.status == 201 ? .acknowledged : .unacknowledged)
            try await FaultRecords.readWebhook(
                webhook, receiver: "017", expected: ledger.keys(.acknowledged), into: &ledger)
            print(ledger.report("webhook-slow"))
            let tally = ledger.tally("017")
            #expect(tally.acknowledged == 20)
            #expect(tally.holds, "\(tally)")
            #expect(tally.duplicated == 0)
            #expect(webhook.requests.count == 20, "no attempt repeated")
        }
    }
}
