import Foundation
import Logging
import RenkeiContracts
import RenkeiTestSupport
import Testing

@testable import RenkeiBus

/// The state gateway instances share through Kafka: several buses (instances) on one embedded cluster.
@Suite struct SharedStateTests {
    /// Another bus instance on `harness`'s cluster, as a second `renkei serve --brokers` would start one.
    static func secondBus(on harness: BusHarness, instance: String) async throws -> Bus {
        var configuration = harness.bus.configuration
        configuration.instance = instance
        return try await Bus.start(contracts: harness.contracts, configuration: configuration, logger: harness.logger)
    }

    @Test(.timeLimit(.minutes(2)))
    func aClaimRacedByTwoInstancesIsWonByExactlyOne() async throws {
        try await BusHarness.with { harness in
            let other = try await Self.secondBus(on: harness, instance: "second")
            let expires = Date().addingTimeInterval(120)
            for round in 0..<20 {
                let id = "assertion-\(round)"
                async let here = harness.bus.shared.claimAssertion(client: "sys-001", id: id, expires: expires)
                async let there = other.shared.claimAssertion(client: "sys-001", id: id, expires: expires)
                let wins = try await [here, there].filter { $0 }.count
                #expect(wins == 1, "round \(round): \(wins) winners")
            }
            // Once claimed, refused at both, without another write.
            #expect(
                try await !harness.bus.shared.claimAssertion(client: "sys-001", id: "assertion-3", expires: expires))
            #expect(try await !other.shared.claimAssertion(client: "sys-001", id: "assertion-3", expires: expires))
            // The same id of another client is another assertion.
            #expect(try await other.shared.claimAssertion(client: "sys-002", id: "assertion-3", expires: expires))
            await other.shutdown()
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func anInstanceThatStartsHasReadTheSharedStateBeforeItServes() async throws {
        try await BusHarness.with { harness in
            try await harness.bus.shared.setMaintenance(true, by: "ops")
            var status = TransferStatus(id: "t-1", linkage: "resident-change", provider: "sys-001", instance: "gone")
            status.records = 12
            try await harness.bus.shared.record(status)
            status.state = .committed
            status.accepted = 12
            try await harness.bus.shared.record(status)

            let late = try await Self.secondBus(on: harness, instance: "late")
            // No waiting: Bus.start returned only after reading the shared topics to their end.
            #expect(late.shared.maintenance.enabled)
            #expect(late.shared.maintenance.setBy == "ops")
            #expect(late.shared.transfer("t-1")?.state == .committed)
            #expect(late.shared.transfer("t-1")?.accepted == 12)
            try await late.shared.setMaintenance(false, by: "ops")
            #expect(!late.shared.maintenance.enabled, "a write is read back before it returns")
            let seen = try await eventually(within: 5) { !harness.bus.shared.maintenance.enabled }
            #expect(seen, "and reaches the other instance")
            await late.shutdown()
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func transfersAnInstanceWasStreamingWhenItDiedAreSettledFromTheHistory() async throws {
        try await BusHarness.with { harness in
            let crashed = try await Self.secondBus(on: harness, instance: "crashed")
            // One upload cut off, one committed just before the instance died without writing its status.
            try await crashed.shared.record(
                TransferStatus(id: "cut", linkage: "resident-change", provider: "sys-001", instance: "crashed"))
            try await crashed.shared.record(
                TransferStatus(id: "landed", linkage: "resident-change", provider: "sys-001", instance: "crashed"))
            let (csv, _) = harness.residentsCSV(30)
            _ = try await crashed.provideBulk(
                linkage: "resident-change", provider: "001", format: .csv,
                chunks: ChunkedBytes(bytes: csv, chunkSize: 4096), transferID: "landed")
            await crashed.shutdown()

            // Other instances settle a status nobody wrote for a minute; until then it is streaming.
            #expect(await harness.bus.transferStatus("cut")?.state == .streaming)
            #expect(await harness.bus.history.catchUp(within: .seconds(10)))
            let later = Date().addingTimeInterval(TransferStatus.staleAfter + 1)
            #expect(await harness.bus.transferStatus("cut", now: later)?.problem == "interrupted")
            #expect(await harness.bus.transferStatus("landed", now: later)?.state == .committed)
            #expect(await harness.bus.transferStatus("landed", now: later)?.accepted == 30)

            // The instance itself writes the outcome when it starts again.
            let restarted = try await Self.secondBus(on: harness, instance: "crashed")
            #expect(try await restarted.settleInterruptedTransfers() == 2)
            let written = try await eventually(within: 5) {
                harness.bus.shared.transfer("cut")?.state == .failed
                    && harness.bus.shared.transfer("landed")?.state == .committed
            }
            #expect(written)
            #expect(harness.bus.shared.transfer("cut")?.problem == "interrupted")
            await restarted.shutdown()
        }
    }

    @Test func firstWinsKeepsTheFirstValueUntilItExpiresAndLastWinsTheNewest() {
        let claims = SharedTable<Date>(
            topic: "claims", rule: .firstWins,
            decode: { Double(String(decoding: $0, as: UTF8.self)).map(Date.init(timeIntervalSince1970:)) },
            expired: { $0 < Date() })
        let later = Date().addingTimeInterval(60)
        claims.apply(key: "k", value: Array(String(later.timeIntervalSince1970).utf8), offset: 5)
        claims.apply(key: "k", value: Array(String(later.timeIntervalSince1970 + 1).utf8), offset: 9)
        #expect(claims.entry("k")?.offset == 5)
        // An expired claim no longer holds the key.
        claims.apply(key: "old", value: Array("1".utf8), offset: 10)
        claims.apply(key: "old", value: Array(String(later.timeIntervalSince1970).utf8), offset: 11)
        #expect(claims.entry("old")?.offset == 11)
        claims.apply(key: "gone", value: Array("1".utf8), offset: 12)
        claims.sweep()
        #expect(claims.value("gone") == nil)

        let settings = SharedTable<String>(
            topic: "settings", rule: .lastWins, decode: { String(decoding: $0, as: UTF8.self) })
        settings.apply(key: "k", value: Array("one".utf8), offset: 1)
        settings.apply(key: "k", value: Array("two".utf8), offset: 2)
        #expect(settings.value("k") == "two")
        settings.apply(key: "k", value: nil, offset: 3)
        #expect(settings.value("k") == nil, "an empty record removes the key")
    }
}
