import Foundation
import Testing

/// TLS and SASL flags of the commands that take `--brokers` (here `topics check`, against a port nobody serves).
@Suite struct KafkaSecurityOptionTests {
    static let unserved = ["topics", "check", "--brokers", "127.0.0.1:9", "--timeout", "2"]

    @Test(arguments: [
        (["--kafka-security-protocol", "tls"], "must be plaintext, ssl, sasl_plaintext or sasl_ssl, not `tls`"),
        (["--kafka-security-protocol", "ssl", "--kafka-ca", "/nonexistent/ca.pem"], "--kafka-ca: cannot read"),
        (["--kafka-security-protocol", "sasl_ssl"], "sasl_ssl needs --kafka-sasl-mechanism PLAIN, SCRAM-SHA-256"),
        (
            ["--kafka-security-protocol", "sasl_ssl", "--kafka-sasl-mechanism", "SCRAM-SHA-512"],
            "sasl_ssl needs --kafka-sasl-username"
        ),
        (
            [
                "--kafka-security-protocol", "sasl_ssl", "--kafka-sasl-mechanism", "SCRAM-SHA-512",
                "--kafka-sasl-username", "renkei",
            ],
            "sasl_ssl needs a password: RENKEI_KAFKA_SASL_PASSWORD or --kafka-sasl-password-file"
        ),
        (["--kafka-sasl-mechanism", "PLAIN"], "A SASL mechanism is given but the security protocol is plaintext"),
        (["--kafka-ca", "/etc/hostname"], "TLS files are given but the security protocol is plaintext"),
    ])
    func unusableSecuritySettingsExitTwoNamingTheProblem(_ flags: [String], _ message: String) throws {
        let result = try CLIRunner.run(Self.unserved + flags, environment: ["RENKEI_KAFKA_SASL_PASSWORD": ""])
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func theCABundleReachesLibrdkafka() throws {
        let bundle = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-ca-\(UUID()).pem")
        try "not a certificate\n".write(to: bundle, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: bundle) }
        let result = try CLIRunner.run(
            Self.unserved + ["--kafka-security-protocol", "ssl", "--kafka-ca", bundle.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("ssl.ca.location"), "\(result.stderr)")
    }

    @Test func settingsComeFromTheEnvironmentWithThePasswordOnlyThere() throws {
        let result = try CLIRunner.run(
            Self.unserved,
            environment: [
                "RENKEI_KAFKA_SECURITY_PROTOCOL": "sasl_plaintext", "RENKEI_KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
                "RENKEI_KAFKA_SASL_USERNAME": "renkei", "RENKEI_KAFKA_SASL_PASSWORD": "from-the-environment",
            ])
        // Configured, so it gets as far as the cluster, which is not there.
        #expect(result.status == 1, "\(result.stderr)")
        #expect(!result.stderr.contains("needs"))
        #expect(!result.stderr.contains("from-the-environment"))
    }
}
