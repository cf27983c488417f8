import Foundation
import Logging
import RenkeiTestSupport
import Testing

@testable import RenkeiBus
@testable import RenkeiGateway

/// Transfer status as two gateway instances on one bus cluster answer it (one registry each, one shared state).
@Suite struct TransferRegistryTests {
    @Test(.timeLimit(.minutes(2)))
    func theOtherInstanceSeesProgressAndOutcome() async throws {
        try await GatewayHarness.with { harness in
            let logger = Logger(label: "renkei.test")
            // A second bus on the same cluster: another instance, with its own reading of the shared topics.
            var configuration = harness.bus.configuration
            configuration.instance = "other"
            let otherBus = try await Bus.start(
                contracts: harness.bus.contracts, configuration: configuration, logger: logger)
            let taking = TransferRegistry(bus: harness.bus, logger: logger, progressInterval: .zero)
            let other = TransferRegistry(bus: otherBus, logger: logger)
            taking.begin(id: "t-1", linkage: "resident-change", provider: "sys-001")
            let started = try await eventually(within: 5) { await other.state("t-1")?.state == .streaming }
            #expect(started)
            #expect(await other.state("t-1")?.instance == harness.bus.configuration.instance)

            taking.update(id: "t-1", progress: BulkProgress(records: 40, invalid: 1, bytes: 9000, committed: false))
            let progressed = try await eventually(within: 5) { await other.state("t-1")?.records == 40 }
            #expect(progressed, "progress reaches the other instance")

            // The answer to the upload waits for the outcome to be written: the other instance has it at once.
            await taking.fail(id: "t-1", code: "invalid-records")
            #expect(await other.state("t-1")?.state == .failed)
            #expect(await other.state("t-1")?.problem == "invalid-records")
            #expect(await taking.state("t-1")?.problem == "invalid-records", "from the shared state once written")
            await otherBus.shutdown()
        }
    }
}
