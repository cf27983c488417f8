import Foundation
import RenkeiContracts
import RenkeiTestSupport
import ServiceLifecycle
import Testing

@testable import RenkeiBus

/// `ContractWhatIf` replays a real history — provides, pushes, a refusal, a bulk transfer, a query — against
/// proposed contracts and finds each change, counted per linkage and receiver, with sample keys and never a value.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ContractWhatIfTests {
    /// Proposal A (``WhatIfProposals/a``), and 017 may see 個人番号 in answers to resident-query.
    static let proposalA: [ContractEdit] =
        WhatIfProposals.a + [
            ContractEdit("linkages/resident-query.yaml", "住所_番地号表記, 住所_方書]", "住所_番地号表記, 住所_方書, 個人番号]")
        ]

    static let proposalB = WhatIfProposals.b

    @Test func findsWhatEachProposalWouldHaveChangedInARealHistory() async throws {
        try await BusHarness.with { harness in
            let scene = try await Self.makeHistory(harness)
            try await harness.bus.history.sync()
            let index = harness.bus.history.index
            let current = harness.contracts

            let a = try await ContractWhatIf(proposed: try Self.load(Self.proposalA), current: current)
                .run(index: index, since: scene.start)
            #expect(a.entries == scene.entries)
            #expect(
                a.findings.map { "\($0.kind.rawValue) \($0.linkage) \($0.receiver ?? "-")" } == [
                    "new-receiver resident-change 008", "items-sent resident-query 017",
                    "items-sent resident-change 017", "not-delivered resident-change 002",
                    "items-withheld resident-change C001",
                ])
            let newReceiver = try #require(a.findings.first)
            #expect(newReceiver.sensitivity == .mynumber)
            #expect(newReceiver.items.map(\.name) == ["宛名番号", "氏名", "個人番号"])
            #expect(newReceiver.items.map(\.sensitivity) == [Sensitivity?.some(.none), .personal, .mynumber])
            #expect(newReceiver.counts.provides == 1 && newReceiver.counts.records == 3)
            #expect(newReceiver.samples == scene.provided)
            let query = a.findings[1]
            #expect(query.items.map(\.key) == ["my_number"] && query.sensitivity == .mynumber)
            #expect(query.counts.queries == 1 && query.counts.records == 1 && query.samples == [scene.asked])
            let pushed = a.findings[2]
            #expect(pushed.items.map(\.name) == ["住民票コード"] && pushed.sensitivity == .personal)
            #expect(pushed.counts.provides == 1 && pushed.counts.deliveries == 3 && pushed.counts.records == 3)
            #expect(a.findings[3].counts.provides == 1 && a.findings[3].counts.records == 3)
            #expect(a.findings[4].items.map(\.name) == ["続柄"] && a.findings[4].sensitivity == .none)

            let b = try await ContractWhatIf(proposed: try Self.load(Self.proposalB), current: current, samples: 3)
                .run(index: index, since: scene.start)
            #expect(
                b.findings.map { "\($0.kind.rawValue) \($0.linkage) \($0.system ?? "-") \($0.reason ?? "-")" } == [
                    "would-be-accepted resident-change C001 not-the-provider",
                    "would-be-refused resident-change 001 not-the-provider",
                    "linkage-removed resident-register-daily - -",
                ])
            #expect(b.findings[0].counts.refusals == 1)
            #expect(b.findings[1].counts.provides == 1 && b.findings[1].counts.deliveries == 3)
            #expect(b.findings[1].counts.records == 3 && b.findings[1].samples == scene.provided)
            // The bulk transfer counts once, with its records, whatever the number of its receivers' entries.
            let removed = b.findings[2]
            #expect(removed.counts.provides == 1 && removed.counts.records == 20)
            #expect(removed.samples.count == 3 && Set(removed.samples).isSubset(of: scene.transferKeys))

            // Pages of one entry split a submission's entries across pages and find the same.
            let paged = try await ContractWhatIf(proposed: try Self.load(Self.proposalA), current: current)
                .run(index: index, since: scene.start, pageSize: 1)
            #expect(paged.findings == a.findings)
            // Nothing differs under the contracts in force, or after the last entry.
            let same = try await ContractWhatIf(proposed: current).run(index: index, since: scene.start)
            #expect(!same.differs && same.entries == scene.entries)
            let later = try await ContractWhatIf(proposed: try Self.load(Self.proposalA))
                .run(index: index, since: Date().addingTimeInterval(60))
            #expect(!later.differs && later.entries == 0)
        }
    }

    struct History {
        var start: Date
        var entries: Int
        /// The keys of resident-change's provide, in order; the key asked for; the bulk transfer's keys.
        var provided: [String]
        var asked: String
        var transferKeys: Set<String>
    }

    /// Three residents provided and pushed to 017, C001 refused as provider, a bulk transfer of 20 residents, and a
    /// query by 017.
    static func makeHistory(_ harness: BusHarness) async throws -> History {
        let bus = harness.bus
        let start = Date()
        let transport = ScriptedTransport { _, _ in .answered(status: 204, body: []) }
        let observer = CountingObserver()
        let service = DeliveryService(bus: bus, transport: transport, observer: observer)
        let group = ServiceGroup(services: [service], logger: harness.logger)
        let running = Task { try await group.run() }
        let (jsonl, records) = harness.residents(3)
        _ = try await bus.provide(linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
        let deadline = ContinuousClock.now + .seconds(20)
        while observer["delivered.push"] < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        await group.triggerGracefulShutdown()
        try await running.value
        try #require(observer["delivered.push"] == 3)

        await #expect(throws: ProvideError.self) {
            try await bus.provide(linkage: "resident-change", provider: "C001", records: jsonl, format: .jsonLines)
        }
        let (csv, transferRecords) = harness.residentsCSV(20)
        let receipt = try await bus.provideBulk(
            linkage: "resident-register-daily", provider: "001", format: .csv,
            chunks: ChunkedBytes(bytes: csv, chunkSize: 4096))
        try #require(receipt.accepted == 20)

        let answer = Array(jsonl.split(separator: UInt8(ascii: "\n"))[0])
        let responder = try await QueryResponder.start(bus: bus, linkage: "resident-query") { _ in answer }
        let answering = Task { try await responder.run() }
        let client = try await QueryClient.start(bus: bus)
        let listening = Task { try await client.run() }
        let asked = try #require(records[0][0])
        let result = try await client.ask(linkage: "resident-query", asker: "017", key: asked, timeout: .seconds(10))
        try #require(result.records.count == 1)
        await client.shutdown()
        await responder.shutdown()
        _ = await (try? answering.value, try? listening.value)

        try await bus.history.sync()
        let entries = try await bus.history.index.count(since: start)
        return History(
            start: start, entries: entries, provided: records.compactMap { $0[0] }, asked: asked,
            transferKeys: Set(transferRecords.compactMap { $0[0] }))
    }

    static func load(_ edits: [ContractEdit]) throws -> ContractSet {
        let directory = try ContractEdit.copy(BusHarness.contractsDirectory, applying: edits)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try ContractLoader.load(directory: directory)
    }
}

/// One change to a copy of the sample contracts: a text replaced in a file, or a file removed.
