import Foundation
import Logging
import RenkeiTestSupport
import Testing

@testable import RenkeiBus
@testable import RenkeiGateway

/// Transfer status as two gateway instances on one bus cluster answer it (one registry each, one shared state).
@Suite struct TransferRegistryTests {
    @Test(.timeLimit(.minutes(2)))
    func theOtherInstanceSeesProgressAndOutcomeAndTakesASilentUploadForInterrupted() async throws {
        try await GatewayHarness.with { harness in
            let logger = Logger(label: "renkei.test")
            let taking = TransferRegistry(
                shared: harness.bus.shared, instance: "a", logger: logger, progressInterval: .zero)
            let other = TransferRegistry(shared: harness.bus.shared, instance: "b", logger: logger)
            await taking.begin(id: "t-1", linkage: "resident-change", provider: "sys-001")
            #expect(other.state("t-1")?.state == .streaming, "written before begin returns")
            #expect(other.state("t-1")?.instance == "a")

            taking.update(id: "t-1", progress: BulkProgress(records: 40, invalid: 1, bytes: 9000, committed: false))
            let progressed = try await eventually(within: 5) { other.state("t-1")?.records == 40 }
            #expect(progressed, "progress reaches the other instance")

            // A minute without word from the taking instance: it is taken for cut off, except by itself.
            let later = Date().addingTimeInterval(TransferRegistry.staleAfter + 1)
            #expect(other.state("t-1", now: later)?.state == .failed)
            #expect(other.state("t-1", now: later)?.problem == "interrupted")
            #expect(taking.state("t-1", now: later)?.state == .streaming)

            await taking.fail(id: "t-1", code: "invalid-records")
            #expect(other.state("t-1")?.state == .failed)
            #expect(other.state("t-1")?.problem == "invalid-records")
            #expect(taking.state("t-1")?.problem == "invalid-records", "from the shared state once it is done here")
        }
    }
}
