import Foundation
import Logging
import RenkeiContracts
import RenkeiKafka
import Testing

@testable import RenkeiBus

/// A bus that shuts down closes every Kafka client it opened: the embedded cluster of `renkei serve` goes down
/// after them, and a client left open would log its broker disappearing.
@Suite(.serialized) struct BusShutdownTests {
    @Test(.timeLimit(.minutes(1)))
    func shutdownClosesEveryClientTheBusOpened() async throws {
        var logger = Logger(label: "renkei.test")
        logger.logLevel = .critical
        let kafka = try EmbeddedKafka.start(brokers: 1, logger: logger)
        let before = Bus.openKafkaClients
        let contracts = try ContractLoader.load(directory: BusHarness.contractsDirectory)
        try await Self.startAndShutDown(
            contracts: contracts, kafka: kafka.configuration, logger: logger, before: before)
        // Handles are destroyed off the caller's task: give them a moment, as `EmbeddedKafka.shutdown` does.
        let deadline = ContinuousClock.now + .seconds(5)
        while Bus.openKafkaClients > before, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(Bus.openKafkaClients == before)
        kafka.shutdown()
    }

    private static func startAndShutDown(
        contracts: ContractSet, kafka: KafkaConfiguration, logger: Logger, before: Int
    ) async throws {
        let bus = try await Bus.start(
            contracts: contracts, configuration: BusConfiguration(kafka: kafka, instance: "closing"), logger: logger)
        #expect(Bus.openKafkaClients > before)
        await bus.shutdown()
    }
}
