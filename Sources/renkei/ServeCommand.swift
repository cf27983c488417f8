import ArgumentParser
import Foundation
import Logging
import RenkeiBus
import RenkeiContracts
import RenkeiGateway
import RenkeiKafka
import ServiceLifecycle

/// `renkei serve`: the HTTP gateway on the bus — on a real Kafka cluster with `--brokers`, else on an embedded,
/// in-memory one.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway: OAuth token endpoint, provide, feeds, push, query, operations, health, metrics.",
        discussion: """
            Without --brokers an embedded Kafka cluster runs in this process: IN MEMORY ONLY, a few MiB per \
            partition, for trying things out, never for production. Client secrets come from --secrets FILE \
            (YAML or JSON, client id → secret) or RENKEI_CLIENT_SECRETS; with --demo, or on the embedded \
            cluster when none are given, the sample secrets `renkei-demo-client-secret-for-<system id>` are used. Every secret \
            must match its secret-sha256 in the contracts or the gateway does not start. The same text holds, \
            under `signing:` (system id → whsec_…), the secrets webhook and query-endpoint calls are signed \
            with (Standard Webhooks); every system with a webhook or query endpoint needs one.

            Operators use the console at http://HOST:PORT/console/ in a browser, signing in with their client id \
            and secret (docs/console.md).

            Before anything starts, serve checks that --host/--port can be bound (exit 1: "port 8080 on \
            127.0.0.1 is in use"). It creates the topics of the topic plan (`renkei topics plan`) that are \
            missing and refuses to start, with exit code 3, when a history or dead-letter topic keeps records \
            for less than the legal 7 years or a topic has fewer replicas than --replication-factor, naming the \
            topic, the setting, the value found and the value required. On an embedded cluster, which ignores \
            topic configs, it says so once and checks nothing. SIGTERM or SIGINT stops the gateway and its Kafka \
            clients first, then the embedded cluster.

            Several instances on one cluster (each with its own --instance, all with the same contracts, secrets, \
            RENKEI_TOKEN_KEY and --public-url) answer as one: used assertions, transfer status and maintenance \
            mode are shared through Kafka, push and query work is split by consumer groups, and file deliveries \
            and inboxes run at one instance at a time (docs/operations.md, "Several instances").
            """)

    @OptionGroup var contractsOptions: ContractsOptions
    @OptionGroup(title: "Topic plan") var topicOptions: TopicOptions

    @Option(help: "Address to bind.") var host: String = "127.0.0.1"
    @Option(help: "Port to bind.") var port: Int = 8080
    @Option(help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (with --tls-key).", valueName: "file"))
    var tlsCert: String?
    @Option(help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "file"))
    var tlsKey: String?
    @Option(
        help: ArgumentHelp(
            "Accept TLS client certificates issued by these PEM authorities (mTLS; with --tls-cert).",
            valueName: "file"))
    var tlsClientCa: String?
    @Option(help: "Seconds before an idle connection (or a client stuck mid-request) is closed.")
    var idleTimeout: Int = 60
    @Option(help: "Kafka bootstrap servers, comma-separated; omit for the embedded in-memory cluster.")
    var brokers: String?
    @OptionGroup(title: "Kafka security (with --brokers)") var kafkaSecurity: KafkaSecurityOptions
    @Option(help: "This instance's name (history chain, reply topic); stable across restarts.")
    var instance: String = InstanceName.hostDefault
    @Option(help: ArgumentHelp("Client secrets file (YAML or JSON: client id → secret).", valueName: "file"))
    var secrets: String?
    @Flag(help: "Use the sample secrets renkei-demo-client-secret-for-<id> (never outside a demo).") var demo = false
    @Option(help: "The gateway's URL as clients reach it; client assertions name <url>/oauth/token as audience.")
    var publicURL: String?
    @Option(help: "Access-token lifetime in seconds.") var tokenLifetime: Int = 300
    @Option(help: "Checked access tokens remembered until they expire (0: check the signature on every request).")
    var tokenCacheSize: Int = 4096
    @Option(help: "Query (照会) timeout in seconds.") var queryTimeout: Int = 5
    @Option(help: "Validate Bearer tokens at this external RFC 7662 introspection URL instead.")
    var introspectionURL: String?
    @Flag(help: "Switch the cluster (every instance) to maintenance mode at start (readiness 503).")
    var maintenance = false
    @OptionGroup var dataDirectory: DataDirectoryOptions
    @Flag(help: "Do not run the delivery service (push, query endpoints, files, inboxes) on this instance.")
    var noDispatchers = false

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "renkei.serve")
        let contracts = try contractsOptions.load()
        if (tlsCert == nil) != (tlsKey == nil) {
            throw usageFailure("--tls-cert and --tls-key go together: give both for HTTPS, or neither.")
        }
        if tlsClientCa != nil, tlsCert == nil {
            throw usageFailure("--tls-client-ca needs --tls-cert and --tls-key: client certificates come with HTTPS.")
        }
        for path in [tlsCert, tlsKey, tlsClientCa].compactMap({ $0 })
        where !FileManager.default.isReadableFile(atPath: path) {
            throw usageFailure("Cannot read the TLS file \(path).")
        }
        if let problem = PortProbe.problem(host: host, port: port) {
            printError("renkei serve: \(problem)")
            throw ExitCode(1)
        }
        let topics = try topicOptions.settings(embedded: brokers == nil)
        var embedded: EmbeddedKafka?
        var kafka: KafkaConfiguration
        if let brokers {
            kafka = KafkaConfiguration(bootstrapServers: brokers.split(separator: ",").map(String.init))
            try kafkaSecurity.apply(to: &kafka)
        } else {
            let ignored = kafkaSecurity.given()
            if !ignored.isEmpty {
                printError(
                    "renkei serve: \(ignored.joined(separator: ", ")) ignored: the embedded cluster speaks plain Kafka "
                        + "(use --brokers for a cluster with TLS or SASL).")
            }
            let cluster = try EmbeddedKafka.start(brokers: 1, logger: logger)
            embedded = cluster
            kafka = cluster.configuration
            printError(
                """
                ************************************************************************************
                renkei serve: EMBEDDED KAFKA — data is IN MEMORY ONLY, capped at a few MiB per
                partition, and lost when this process ends. Not for production: use --brokers.
                Other Kafka clients on this machine can connect to: \(cluster.bootstrapServers)
                ************************************************************************************
                """)
        }
        // Every client (bus, gateway, consumers) lives inside serveGateway and is gone when it returns; the
        // embedded brokers go down after them, so no client logs its brokers disappearing.
        do {
            let clientSecrets = try loadSecrets(contracts, embedded: embedded != nil)
            var busConfiguration = BusConfiguration(kafka: kafka, instance: instance.isEmpty ? "renkei" : instance)
            busConfiguration.kafka.clientID = "renkei-\(busConfiguration.instance)"
            busConfiguration.topics = topics
            busConfiguration.dataDirectory = dataDirectory.path
            try await serveGateway(contracts, busConfiguration, clientSecrets, logger)
        } catch {
            await embedded?.shutdown(afterClientsClose: .seconds(5))
            throw error
        }
        await embedded?.shutdown(afterClientsClose: .seconds(5))
    }

    /// Starts the bus and runs the gateway until a signal; shuts the bus down on the way out.
    private func serveGateway(
        _ contracts: ContractSet, _ busConfiguration: BusConfiguration, _ clientSecrets: ClientSecrets,
        _ logger: Logger
    ) async throws {
        let bus: Bus
        do {
            bus = try await Bus.start(contracts: contracts, configuration: busConfiguration, logger: logger)
        } catch let error as TopicPlanError {
            printError(
                "renkei serve: refusing to start: \(error.description)\nChange these topics' settings (kafka-configs "
                    + "--alter, or your provider's console); `renkei topics check` lists every difference.")
            throw ExitCode(3)
        }
        var configuration = GatewayConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.publicURL = publicURL
        configuration.tokenLifetime = .seconds(tokenLifetime)
        configuration.verifiedTokenCapacity = max(0, tokenCacheSize)
        configuration.queryTimeout = .seconds(queryTimeout)
        configuration.externalIntrospectionURL = introspectionURL
        configuration.maintenance = maintenance
        configuration.runsDispatchers = !noDispatchers
        configuration.idleTimeout = .seconds(idleTimeout)
        if let tlsCert, let tlsKey {
            configuration.tls = GatewayTLS(
                certificateChainPath: tlsCert, privateKeyPath: tlsKey, clientCertificateAuthorityPath: tlsClientCa)
        }
        if let key = ProcessInfo.processInfo.environment["RENKEI_TOKEN_KEY"], !key.isEmpty {
            configuration.tokenSigningKey = Array(key.utf8)
        }
        do {
            let gateway = try await buildGateway(
                bus: bus, secrets: clientSecrets, configuration: configuration, logger: logger)
            // One group for the process: the delivery service, then the HTTP application (stopped first).
            let group = ServiceGroup(
                configuration: .init(
                    services: gateway.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        } catch {
            await bus.shutdown()
            if let error = error as? ClientSecretsError {
                printError("renkei serve: \(error.description)")
                throw ExitCode(2)
            }
            if let error = error as? GatewayTLSError {
                printError("renkei serve: \(error.description)")
                throw ExitCode(2)
            }
            throw error
        }
        await bus.shutdown()
    }

    private func loadSecrets(_ contracts: ContractSet, embedded: Bool) throws -> ClientSecrets {
        do {
            if let secrets { return try ClientSecrets.load(file: secrets) }
            if let text = ProcessInfo.processInfo.environment["RENKEI_CLIENT_SECRETS"], !text.isEmpty {
                return try ClientSecrets(contentsOf: text, origin: "RENKEI_CLIENT_SECRETS")
            }
        } catch {
            printError("renkei serve: \(error.description)")
            throw ExitCode(2)
        }
        guard demo || embedded else {
            printError(
                "renkei serve: no client secrets; give --secrets FILE or RENKEI_CLIENT_SECRETS (or --demo for the samples)."
            )
            throw ExitCode(2)
        }
        printError(
            "renkei serve: using the DEMO client secrets (renkei-demo-client-secret-for-<id>); never outside a demo.")
        return ClientSecrets.demo(for: contracts)
    }
}
