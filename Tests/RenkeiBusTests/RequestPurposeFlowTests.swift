import Foundation
import RenkeiContracts
import Synchronization
import Testing

@testable import RenkeiBus

/// A request's purpose and the contract version travel in every envelope the bus writes and in every history entry
/// the request causes.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RequestPurposeFlowTests {
    static let purpose = "転入届 受付番号2026-0412"

    @Test func provideWritesThePurposeAndContractVersionIntoEnvelopesAndHistory() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let route = try #require(harness.bus.route("resident-change"))
            let (jsonl, _) = harness.residents(3)
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines,
                requestPurpose: try RequestPurpose(Self.purpose))
            for receiver in ["018", "C001"] {
                let feed = try await harness.feed("resident-change", receiver)
                #expect(feed.count == 3)
                #expect(feed.allSatisfy { $0.envelope.requestPurpose == Self.purpose })
                #expect(feed.allSatisfy { $0.envelope.contractVersion == route.contractVersion })
                // The contract's purpose of use stays beside it, unchanged.
                #expect(
                    feed.allSatisfy { $0.envelope.purpose?.isEmpty == false && $0.envelope.purpose != Self.purpose })
            }
            let provides = try await harness.history(HistoryFilter(linkage: "resident-change", kind: .provide))
            #expect(provides.count == 4)
            #expect(provides.allSatisfy { $0.requestPurpose == Self.purpose })
            #expect(provides.allSatisfy { $0.contractVersion == route.contractVersion })
            #expect(route.contractVersion.count == 16)

            // Without a purpose, entries carry none, and still the version.
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: jsonl, format: .jsonLines)
            let all = try await harness.history(HistoryFilter(linkage: "resident-change", kind: .provide))
            #expect(all.filter { $0.requestPurpose == nil }.count == 4)
            #expect(all.allSatisfy { $0.contractVersion == route.contractVersion })
        }
    }

    @Test func aRefusedProvideRecordsThePurposeAndVersion() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            await #expect(throws: ProvideError.self) {
                try await harness.bus.provide(
                    linkage: "resident-change", provider: "C001", records: harness.residents(1).jsonl,
                    format: .jsonLines, requestPurpose: try RequestPurpose(Self.purpose))
            }
            let refusals = try await harness.history(HistoryFilter(linkage: "resident-change", kind: .refusal))
            #expect(refusals.count == 1)
            #expect(refusals.first?.requestPurpose == Self.purpose)
            #expect(refusals.first?.contractVersion == harness.bus.route("resident-change")?.contractVersion)
        }
    }

    @Test func theContractVersionChangesWhenTheLinkageDoes() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let before = try #require(harness.bus.route("resident-change")).contractVersion
            _ = try await harness.bus.provide(
                linkage: "resident-change", provider: "001", records: harness.residents(1).jsonl, format: .jsonLines)

            // The same linkage with one receiver's item taken away, on a second bus over the same cluster.
            let changed = Self.contracts(harness.contracts) { linkage in
                guard linkage.id == "resident-change" else { return }
                linkage.receivers[0].items.removeLast()
            }
            var configuration = harness.bus.configuration
            configuration.instance = "changed-\(UUID().uuidString.prefix(8))"
            let bus = try await Bus.start(contracts: changed, configuration: configuration, logger: harness.logger)
            let after = try #require(bus.route("resident-change")).contractVersion
            #expect(after != before)
            #expect(after == LinkageRoute.contractVersion(of: try #require(changed.linkage("resident-change"))))
            _ = try await bus.provide(
                linkage: "resident-change", provider: "001", records: harness.residents(1, seed: 9).jsonl,
                format: .jsonLines)
            await bus.shutdown()

            let feed = try await harness.feed("resident-change", "C001")
            // Two keys, maybe on two partitions: the order of the feed is not the order provided.
            #expect(feed.count == 2)
            #expect(Set(feed.compactMap(\.envelope.contractVersion)) == [before, after])
            let provides = try await harness.history(HistoryFilter(linkage: "resident-change", kind: .provide))
            #expect(Set(provides.compactMap(\.contractVersion)) == [before, after])
            #expect(provides.allSatisfy { $0.contractVersion != nil })
        }
    }

    /// A question asked before the provider's responder joined its group is answered once it joins, within the
    /// asker's deadline; one whose asker already gave up is passed over without asking the provider.
    @Test func aQueryAskedBeforeTheResponderStartsIsAnswered() async throws {
        try await BusHarness.with { (harness: BusHarness) async throws -> Void in
            let (jsonl, records) = harness.residents(2)
            let lines = jsonl.split(separator: UInt8(ascii: "\n")).map(Array.init)
            let client = try await QueryClient.start(bus: harness.bus)
            let listening = Task { try await client.run() }
            let purpose = try RequestPurpose(Self.purpose)

            let gone = try #require(records[1][0])
            await #expect {
                try await client.ask(linkage: "resident-query", asker: "017", key: gone, timeout: .milliseconds(300))
            } throws: { error in
                (error as? QueryError)?.code == .timeout
            }
            let asked = try #require(records[0][0])
            let answer = Task {
                try await client.ask(
                    linkage: "resident-query", asker: "C001", key: asked, timeout: .seconds(30),
                    requestPurpose: purpose)
            }
            try await Task.sleep(for: .seconds(1))

            let questions = Mutex<[QueryRequest]>([])
            let responder = try await QueryResponder.start(bus: harness.bus, linkage: "resident-query") { question in
                questions.withLock { $0.append(question) }
                return lines[0]
            }
            let answering = Task { try await responder.run() }
            let result = try await answer.value
            await responder.shutdown()
            await client.shutdown()
            _ = await (try? answering.value, try? listening.value)

            #expect(result.records.count == 1)
            let seen = questions.withLock { $0 }
            #expect(seen.map(\.key) == [asked])
            #expect(seen.first?.requestPurpose == Self.purpose)
            let version = LinkageRoute.contractVersion(of: try #require(harness.contracts.linkage("resident-query")))
            #expect(seen.first?.contractVersion == version)
            let entries = try await harness.history(HistoryFilter(linkage: "resident-query", kind: .query))
            #expect(entries.map(\.outcome) == ["timeout", "ok"])
            #expect(entries.map(\.requestPurpose) == [nil, Self.purpose])
            #expect(entries.allSatisfy { $0.contractVersion == version })
        }
    }

    /// The contracts with `edit` applied to every linkage.
    static func contracts(_ contracts: ContractSet, _ edit: (inout Linkage) -> Void) -> ContractSet {
        ContractSet(
            systems: contracts.systems, codeTables: contracts.codeTables, layouts: contracts.layouts,
            linkages: contracts.linkages.map { linkage in
                var linkage = linkage
                edit(&linkage)
                return linkage
            }, operators: contracts.operators)
    }
}
