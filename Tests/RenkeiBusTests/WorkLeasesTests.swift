import Foundation
import Logging
import RenkeiContracts
import RenkeiKafka
import RenkeiTestSupport
import Synchronization
import Testing

@testable import RenkeiBus

/// Once-per-cluster work through the lease group: two instances (buses) on one embedded cluster.
@Suite(.serialized) struct WorkLeasesTests {
    /// A worker that notes when it runs, at which instance.
    final class Probe: Sendable {
        let log = Mutex<[(instance: String, event: String, at: ContinuousClock.Instant)]>([])

        func worker(_ instance: String, id: DeliveryWorkerID) -> any DeliveryWorker {
            Worker(id: id, instance: instance, probe: self)
        }

        struct Worker: DeliveryWorker {
            let id: DeliveryWorkerID
            let instance: String
            let probe: Probe

            func run() async throws {
                probe.log.withLock { $0.append((instance, "start", .now)) }
                defer { probe.log.withLock { $0.append((instance, "stop", .now)) } }
                while true { try await Task.sleep(for: .milliseconds(50)) }
            }
        }

        /// Where the worker runs now, by its last event at each instance.
        var runningAt: Set<String> {
            var running: Set<String> = []
            for entry in log.withLock({ $0 }) {
                if entry.event == "start" { running.insert(entry.instance) } else { running.remove(entry.instance) }
            }
            return running
        }

        /// Whether it ever ran at two instances at once.
        var overlapped: Bool {
            var running = 0
            for entry in log.withLock({ $0 }) {
                running += entry.event == "start" ? 1 : -1
                if running > 1 { return true }
            }
            return false
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aLeasedWorkerRunsAtOneInstanceAndMovesWhenItsHolderLeaves() async throws {
        try await BusHarness.with { harness in
            var configuration = harness.bus.configuration
            configuration.instance = "second"
            let second = try await Bus.start(
                contracts: harness.contracts, configuration: configuration, logger: harness.logger)
            let probe = Probe()
            let id = DeliveryWorkerID(linkage: "resident-register-daily", system: "008", method: .file)

            let first = try await WorkLeases.join(bus: harness.bus)
            let atFirst = Task { try await first.run(id) { probe.worker("first", id: id) } }
            #expect(try await eventually(within: 30) { probe.runningAt == ["first"] }, "the only member runs it")

            let other = try await WorkLeases.join(bus: second)
            let atSecond = Task { try await other.run(id) { probe.worker("second", id: id) } }
            // Whatever the group does with the lease as the second member joins (a rebalance stops it first), the
            // worker never runs twice, and runs at one instance once the group has settled.
            try await Task.sleep(for: .seconds(3))
            let settled = try await eventually(within: 30) { probe.runningAt.count == 1 }
            #expect(settled, "\(probe.runningAt)")
            #expect(first.partition(for: id) == other.partition(for: id), "both map the work to the same lease")

            // The holder leaves (a stop): the other takes the lease at once, after the worker stopped.
            let holder = probe.runningAt.first
            if holder == "first" {
                atFirst.cancel()
                _ = await atFirst.result
                await first.leave()
                #expect(try await eventually(within: 30) { probe.runningAt == ["second"] })
            } else {
                atSecond.cancel()
                _ = await atSecond.result
                await other.leave()
                #expect(try await eventually(within: 30) { probe.runningAt == ["first"] })
            }
            #expect(!probe.overlapped, "never at two instances at once")
            atFirst.cancel()
            atSecond.cancel()
            _ = await (atFirst.result, atSecond.result)
            await first.leave()
            await other.leave()
            await second.shutdown()
        }
    }
}
