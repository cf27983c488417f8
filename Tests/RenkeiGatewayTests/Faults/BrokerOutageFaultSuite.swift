import Foundation
import RenkeiTestSupport
import Synchronization
import Testing

/// The only broker of the embedded cluster goes down and comes back while providers submit: every acknowledged
/// record reaches every receiver, nothing unacknowledged does, and a record pushed twice keeps its event id.
@Suite(.serialized) struct BrokerOutageFaultSuite {
    /// How long the broker stays down: longer than a provide takes, well inside the producer's 60 s delivery timeout.
    static let outage = Duration.seconds(2)

    @Test(.timeLimit(.minutes(1)))
    func singleProvidesAcrossABrokerOutageLoseNothingAcknowledged() async throws {
        let webhook = try ScriptedWebhook.start()
        defer { webhook.stop() }
        try await GatewayHarness.with(webhook: webhook.url) { harness in
            let kafka = try #require(harness.kafka)
            let provider = try await harness.token("sys-001")
            let records = Residents.json(harness.bus.contracts, count: 60, seed: 21)
            try #require(Set(records.map(Residents.key)).count == records.count, "one key per record")
            // Four providers submit one record at a time; the broker goes down once a third is acknowledged.
            let answered = SharedCount()
            let outage = Task {
                _ = try await eventually { answered.value.load(ordering: .relaxed) >= 20 }
                try kafka.setBrokerDown(1)
                try await Task.sleep(for: Self.outage)
                try kafka.setBrokerUp(1)
            }
            var ledger = DeliveryLedger()
            try await withThrowingTaskGroup(of: DeliveryLedger.self) { group in
                for lane in 0..<4 {
                    group.addTask {
                        var lanes = DeliveryLedger()
                        for record in records[(lane * 15)..<(lane * 15 + 15)] {
                            await FaultRecords.provide(record, harness: harness, token: provider, into: &lanes)
                            answered.value.add(1, ordering: .relaxed)
                        }
                        return lanes
                    }
                }
                for try await lanes in group { ledger.merge(lanes) }
            }
            try await outage.value
            let acknowledged = ledger.keys(.acknowledged)
            try await FaultRecords.readFeed(harness, receiver: "018", expected: acknowledged.count, into: &ledger)
            try await FaultRecords.readWebhook(webhook, receiver: "017", expected: acknowledged, into: &ledger)
            print(ledger.report("broker-down-single-provides"))
            #expect(acknowledged.count + ledger.keys(.unacknowledged).count + ledger.keys(.unanswered).count == 60)
            #expect(acknowledged.count >= 20)
            for receiver in ["018", "017"] {
                let tally = ledger.tally(receiver)
                #expect(tally.holds, "\(tally)")
            }
            // A pull receiver reads the log, where the idempotent producer wrote each record once.
            #expect(ledger.tally("018").duplicated == 0)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aBulkTransferAcrossABrokerOutageArrivesWholeOrNotAtAll() async throws {
        try await GatewayHarness.with { harness in
            let kafka = try #require(harness.kafka)
            let provider = try await harness.token("sys-001")
            let csv = Residents.csv(harness.bus.contracts, count: 6000, seed: 22)
            let keys = Residents.keys(csv: csv, contracts: harness.bus.contracts)
            try #require(keys.count == 6000 && Set(keys).count == 6000, "one key per record")
            // The body goes in six parts; the broker is down while the fourth and fifth are sent.
            let parts = stride(from: 0, to: csv.count, by: csv.count / 6 + 1).map {
                Array(csv[$0..<min($0 + csv.count / 6 + 1, csv.count)])
            }
            let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
            let upload = Task {
                try await LoopbackHTTP.stream(
                    harness.base + "/linkages/resident-change/transfers",
                    headers: [("Authorization", "Bearer \(provider)"), ("Content-Type", "text/csv")],
                    parts: stream, length: csv.count)
            }
            for (index, part) in parts.enumerated() {
                if index == 3 { try kafka.setBrokerDown(1) }
                continuation.yield(part)
                if index == 4 {
                    try await Task.sleep(for: Self.outage)
                    try kafka.setBrokerUp(1)
                }
            }
            continuation.finish()
            var ledger = DeliveryLedger()
            let reply = await upload.result
            switch reply {
            case .success(let reply):
                ledger.submitted(keys: keys, reply.status == 201 ? .acknowledged : .unacknowledged)
            case .failure:
                ledger.submitted(keys: keys, .unanswered)
            }
            let expected = ledger.keys(.acknowledged).count
            try await FaultRecords.readFeed(harness, receiver: "018", expected: expected, into: &ledger)
            try await FaultRecords.readFeed(harness, receiver: "002", expected: expected, into: &ledger)
            print(ledger.report("broker-down-bulk-transfer", receivers: ["018", "002"]))
            #expect((try? reply.get().status) == 201, "the transfer waits out a short outage")
            for receiver in ["018", "002"] {
                let tally = ledger.tally(receiver)
                #expect(tally.holds, "\(tally)")
                #expect(tally.duplicated == 0)
                #expect(tally.delivered == 0 || tally.delivered == 6000, "a transfer arrives whole or not at all")
            }
        }
    }
}

/// A counter several tasks add to and one watches.
final class SharedCount: Sendable {
    let value = Atomic<Int>(0)
}
