import ArgumentParser
import Foundation
import Logging
import RenkeiKafka

/// `--brokers` and the topic plan's settings, shared by the commands that talk to a running bus's Kafka cluster.
struct BrokerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Kafka bootstrap servers, host:port[,host:port…] (or RENKEI_BROKERS). For an embedded broker, use the "
                + "address `renkei serve` printed.", valueName: "servers"))
    var brokers: String?

    @Option(help: ArgumentHelp("Seconds to wait for the cluster before giving up.", valueName: "seconds"))
    var timeout: Int = 15

    /// The topic plan's settings: commands that create or check topics use them.
    @OptionGroup(title: "Topic plan") var topics: TopicOptions

    @OptionGroup(title: "Kafka security") var security: KafkaSecurityOptions

    /// The cluster configuration; exits with 2 and a hint when no broker is given.
    func configuration() throws -> KafkaConfiguration {
        guard let servers = brokers ?? ProcessInfo.processInfo.environment["RENKEI_BROKERS"], !servers.isEmpty else {
            throw usageFailure(
                "No Kafka cluster given: pass --brokers host:port or set RENKEI_BROKERS. The embedded broker lives "
                    + "inside a `renkei serve` process, which prints its address when it starts.")
        }
        var configuration = KafkaConfiguration(bootstrapServers: servers.split(separator: ",").map(String.init))
        configuration.operationTimeout = .seconds(timeout)
        configuration.socketTimeout = .seconds(timeout)
        try security.apply(to: &configuration)
        return configuration
    }
}

/// The CLI's logger: warnings and worse on standard error, never record values (the libraries log none).
func commandLogger(_ label: String = "renkei") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel =
        ProcessInfo.processInfo.environment["RENKEI_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .error
    return logger
}
