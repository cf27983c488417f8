import Foundation
public import RenkeiBus
public import RenkeiContracts
import Yams

/// The client secrets the gateway authenticates systems and operators with, by client id. Contracts hold only
/// their SHA-256; the secrets come from a file, the environment, or the demo convention, and each is checked
/// against its contract hash before the gateway starts.
///
/// The same source holds the secrets outbound calls are signed with, under the key `signing` (system id →
/// `whsec_…`): every system with a `webhook` or `query` endpoint needs one, and the contracts may pin its SHA-256
/// (`credentials.signing-secret-sha256`).
public struct ClientSecrets: Sendable {
    public private(set) var secrets: [String: String]
    /// Signing secrets (`whsec_…`) by system id.
    public private(set) var signing: [String: String]

    public init(_ secrets: [String: String], signing: [String: String] = [:]) {
        self.secrets = secrets
        self.signing = signing
    }

    /// Reads a YAML or JSON mapping of client id → secret.
    public init(contentsOf text: String, origin: String) throws(ClientSecretsError) {
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
        } catch {
            throw ClientSecretsError("\(origin) is not a YAML or JSON mapping of client id to secret.")
        }
        guard let mapping = loaded as? [String: Any] else {
            throw ClientSecretsError("\(origin) must be a mapping of client id to secret.")
        }
        var secrets: [String: String] = [:]
        var signing: [String: String] = [:]
        for (client, value) in mapping {
            if client == Self.signingKey {
                guard let systems = value as? [String: Any] else {
                    throw ClientSecretsError("\(origin): `signing` must be a mapping of system id to `whsec_…` secret.")
                }
                for (system, secret) in systems {
                    guard let secret = secret as? String, !secret.isEmpty else {
                        throw ClientSecretsError(
                            "\(origin): the signing secret of system `\(system)` must be a non-empty string.")
                    }
                    signing[system] = secret
                }
                continue
            }
            guard let secret = value as? String, !secret.isEmpty else {
                throw ClientSecretsError("\(origin): the secret of client `\(client)` must be a non-empty string.")
            }
            secrets[client] = secret
        }
        self.init(secrets, signing: signing)
    }

    /// The key of the signing secrets' mapping in a secrets file; no client id may be `signing`.
    static let signingKey = "signing"

    /// Reads the secrets file at `path`.
    public static func load(file path: String) throws(ClientSecretsError) -> ClientSecrets {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClientSecretsError("The secrets file \(path) cannot be read.")
        }
        return try ClientSecrets(contentsOf: String(decoding: data, as: UTF8.self), origin: path)
    }

    /// The sample secrets of the demo contracts: `renkei-demo-client-secret-for-<system id in lowercase>` for
    /// systems and `renkei-demo-client-secret-for-<client id>` for operators. Never use them outside a demo.
    public static func demo(for contracts: ContractSet) -> ClientSecrets {
        var secrets: [String: String] = [:]
        for system in contracts.systems {
            if let credentials = system.credentials {
                secrets[credentials.clientID] = demoClientSecret(system.id.lowercased())
            }
        }
        for op in contracts.operators { secrets[op.clientID] = demoClientSecret(op.clientID) }
        var signing: [String: String] = [:]
        for system in contracts.systems { signing[system.id] = demoSigningSecret(system: system.id) }
        return ClientSecrets(secrets, signing: signing)
    }

    /// The sample client secret of a system (by its id in lowercase) or an operator (by its client id).
    public static func demoClientSecret(_ name: String) -> String { "renkei-demo-client-secret-for-\(name)" }

    /// The sample signing secret of `system`: `whsec_` and the base64 of `renkei-demo-signing-secret-<id>`.
    public static func demoSigningSecret(system: String) -> String {
        "whsec_" + Data("renkei-demo-signing-secret-\(system.lowercased())".utf8).base64EncodedString()
    }

    /// The signers of every system with a signing secret, for the delivery service.
    public func signers() throws(ClientSecretsError) -> WebhookSigners {
        var signers: [String: WebhookSigner] = [:]
        for (system, secret) in signing {
            do {
                signers[system] = try WebhookSigner(secret: secret)
            } catch {
                throw ClientSecretsError("The signing secret of system `\(system)` cannot be used: \(error).")
            }
        }
        return WebhookSigners(signers)
    }

    /// Checks every secret against the SHA-256 in the contracts; throws naming the first client id whose secret
    /// does not match or that the contracts do not know.
    public func verify(against contracts: ContractSet) throws(ClientSecretsError) {
        var hashes: [String: String] = [:]
        for system in contracts.systems {
            if let credentials = system.credentials { hashes[credentials.clientID] = credentials.secretSHA256 }
        }
        for op in contracts.operators { hashes[op.clientID] = op.secretSHA256 }
        for (client, secret) in secrets.sorted(by: { $0.key < $1.key }) {
            guard let expected = hashes[client] else {
                throw ClientSecretsError("The secrets name client `\(client)`, which no system or operator has.")
            }
            guard secret.utf8.count >= TokenService.minimumKeyBytes else {
                throw ClientSecretsError(
                    "The secret of client `\(client)` is \(secret.utf8.count) bytes; use at least "
                        + "\(TokenService.minimumKeyBytes): it is the HS256 key of the client's assertions "
                        + "(RFC 7518 §3.2).")
            }
            guard SecretHash.sha256Hex(secret) == expected else {
                throw ClientSecretsError(
                    "The secret of client `\(client)` does not match its secret-sha256 in the contracts.")
            }
        }
        try verifySigning(against: contracts)
    }

    /// Every system the bus calls has a usable signing secret, matching its hash where the contracts pin one, and
    /// no signing secret names an unknown system.
    private func verifySigning(against contracts: ContractSet) throws(ClientSecretsError) {
        for system in signing.keys.sorted() where contracts.system(system) == nil {
            throw ClientSecretsError("The signing secrets name system `\(system)`, which the contracts do not have.")
        }
        _ = try signers()
        for system in contracts.systems {
            let calls = system.endpoints.webhook != nil || system.endpoints.query != nil
            guard let secret = signing[system.id] else {
                if calls {
                    throw ClientSecretsError(
                        "System `\(system.id)` has a webhook or query endpoint but no signing secret: add "
                            + "`signing: {\"\(system.id)\": whsec_…}` to the secrets (see docs/gateway.md).")
                }
                continue
            }
            if let expected = system.credentials?.signingSecretSHA256, SecretHash.sha256Hex(secret) != expected {
                throw ClientSecretsError(
                    "The signing secret of system `\(system.id)` does not match its signing-secret-sha256 in the "
                        + "contracts.")
            }
        }
    }
}

/// Secrets that cannot be used; the gateway refuses to start.
public struct ClientSecretsError: Error, Sendable, CustomStringConvertible {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
