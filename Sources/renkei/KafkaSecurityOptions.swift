import ArgumentParser
import Foundation
import RenkeiKafka

/// TLS and SASL towards the Kafka cluster, for every command that takes `--brokers`. Each flag has a
/// `RENKEI_KAFKA_*` variable; passwords come only from the environment or a file, never from the command line.
struct KafkaSecurityOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "plaintext, ssl, sasl_plaintext or sasl_ssl (or RENKEI_KAFKA_SECURITY_PROTOCOL).", valueName: "protocol"))
    var kafkaSecurityProtocol: String?

    @Option(help: ArgumentHelp("PEM CA bundle to verify brokers with (or RENKEI_KAFKA_CA).", valueName: "file"))
    var kafkaCA: String?

    @Option(
        help: ArgumentHelp("PEM client certificate for mutual TLS (or RENKEI_KAFKA_CERT).", valueName: "file"))
    var kafkaCert: String?

    @Option(
        help: ArgumentHelp(
            "PEM client key (or RENKEI_KAFKA_KEY); its password from RENKEI_KAFKA_KEY_PASSWORD.", valueName: "file"))
    var kafkaKey: String?

    @Option(
        help: ArgumentHelp(
            "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (or RENKEI_KAFKA_SASL_MECHANISM).", valueName: "mechanism"))
    var kafkaSaslMechanism: String?

    @Option(help: ArgumentHelp("SASL user name (or RENKEI_KAFKA_SASL_USERNAME).", valueName: "name"))
    var kafkaSaslUsername: String?

    @Option(
        help: ArgumentHelp(
            "File holding the SASL password (or RENKEI_KAFKA_SASL_PASSWORD; never the password itself here).",
            valueName: "file"))
    var kafkaSaslPasswordFile: String?

    /// The flags and variables that were given, by name (for `serve`, which ignores them on the embedded cluster).
    func given(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        let flags: [(String, String?)] = [
            ("--kafka-security-protocol", kafkaSecurityProtocol), ("--kafka-ca", kafkaCA), ("--kafka-cert", kafkaCert),
            ("--kafka-key", kafkaKey), ("--kafka-sasl-mechanism", kafkaSaslMechanism),
            ("--kafka-sasl-username", kafkaSaslUsername), ("--kafka-sasl-password-file", kafkaSaslPasswordFile),
        ]
        let variables = environment.keys.filter { $0.hasPrefix("RENKEI_KAFKA_") && $0 != "RENKEI_KAFKA_BOOTSTRAP" }
        return flags.compactMap { $0.1 == nil ? nil : $0.0 } + variables.sorted()
    }

    /// `configuration` with the security settings applied; exits with 2 naming what is missing or wrong.
    func apply(to configuration: inout KafkaConfiguration) throws {
        try apply(to: &configuration, environment: ProcessInfo.processInfo.environment)
    }

    func apply(to configuration: inout KafkaConfiguration, environment: [String: String]) throws {
        func value(_ flag: String?, _ variable: String) -> String? {
            flag ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        }
        let protocolName = value(kafkaSecurityProtocol, "RENKEI_KAFKA_SECURITY_PROTOCOL") ?? "plaintext"
        guard let security = KafkaConfiguration.SecurityProtocol(rawValue: protocolName.lowercased()) else {
            throw usageFailure(
                "--kafka-security-protocol must be plaintext, ssl, sasl_plaintext or sasl_ssl, not `\(protocolName)`.")
        }
        configuration.securityProtocol = security
        configuration.tls.caLocation = value(kafkaCA, "RENKEI_KAFKA_CA")
        configuration.tls.certificateLocation = value(kafkaCert, "RENKEI_KAFKA_CERT")
        configuration.tls.keyLocation = value(kafkaKey, "RENKEI_KAFKA_KEY")
        configuration.tls.keyPassword = environment["RENKEI_KAFKA_KEY_PASSWORD"]
        for (flag, path) in [
            ("--kafka-ca", configuration.tls.caLocation), ("--kafka-cert", configuration.tls.certificateLocation),
            ("--kafka-key", configuration.tls.keyLocation),
        ] {
            if let path, !FileManager.default.isReadableFile(atPath: path) {
                throw usageFailure("\(flag): cannot read \(path).")
            }
        }
        let usesTLS = security == .ssl || security == .saslSSL
        if !usesTLS,
            configuration.tls.caLocation != nil || configuration.tls.certificateLocation != nil
                || configuration.tls.keyLocation != nil
        {
            throw usageFailure("TLS files are given but the security protocol is \(protocolName), which uses no TLS.")
        }
        guard security == .saslPlaintext || security == .saslSSL else {
            if value(kafkaSaslMechanism, "RENKEI_KAFKA_SASL_MECHANISM") != nil {
                throw usageFailure("A SASL mechanism is given but the security protocol is \(protocolName).")
            }
            return
        }
        let mechanismName = value(kafkaSaslMechanism, "RENKEI_KAFKA_SASL_MECHANISM") ?? ""
        guard let mechanism = KafkaConfiguration.SASLOptions.Mechanism(rawValue: mechanismName.uppercased()) else {
            throw usageFailure(
                "\(protocolName) needs --kafka-sasl-mechanism PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"
                    + (mechanismName.isEmpty ? "." : ", not `\(mechanismName)`."))
        }
        guard let username = value(kafkaSaslUsername, "RENKEI_KAFKA_SASL_USERNAME") else {
            throw usageFailure("\(protocolName) needs --kafka-sasl-username or RENKEI_KAFKA_SASL_USERNAME.")
        }
        let password: String
        if let file = kafkaSaslPasswordFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw usageFailure("--kafka-sasl-password-file: cannot read \(file).")
            }
            password = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        } else if let text = environment["RENKEI_KAFKA_SASL_PASSWORD"], !text.isEmpty {
            password = text
        } else {
            throw usageFailure(
                "\(protocolName) needs a password: RENKEI_KAFKA_SASL_PASSWORD or --kafka-sasl-password-file FILE.")
        }
        configuration.sasl = KafkaConfiguration.SASLOptions(
            mechanism: mechanism, username: username, password: password)
    }
}
