import Foundation
public import RenkeiContracts
import Yams

/// The client secrets the gateway authenticates systems and operators with, by client id. Contracts hold only
/// their SHA-256; the secrets come from a file, the environment, or the demo convention, and each is checked
/// against its contract hash before the gateway starts.
public struct ClientSecrets: Sendable {
    public private(set) var secrets: [String: String]

    public init(_ secrets: [String: String]) {
        self.secrets = secrets
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
        for (client, value) in mapping {
            guard let secret = value as? String, !secret.isEmpty else {
                throw ClientSecretsError("\(origin): the secret of client `\(client)` must be a non-empty string.")
            }
            secrets[client] = secret
        }
        self.init(secrets)
    }

    /// Reads the secrets file at `path`.
    public static func load(file path: String) throws(ClientSecretsError) -> ClientSecrets {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClientSecretsError("The secrets file \(path) cannot be read.")
        }
        return try ClientSecrets(contentsOf: String(decoding: data, as: UTF8.self), origin: path)
    }

    /// The sample secrets of the demo contracts: `demo-secret-<system id in lowercase>` for systems and
    /// `demo-secret-<client id>` for operators. Never use them outside a demo.
    public static func demo(for contracts: ContractSet) -> ClientSecrets {
        var secrets: [String: String] = [:]
        for system in contracts.systems {
            if let credentials = system.credentials {
                secrets[credentials.clientID] = "demo-secret-\(system.id.lowercased())"
            }
        }
        for op in contracts.operators { secrets[op.clientID] = "demo-secret-\(op.clientID)" }
        return ClientSecrets(secrets)
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
            guard SecretHash.sha256Hex(secret) == expected else {
                throw ClientSecretsError(
                    "The secret of client `\(client)` does not match its secret-sha256 in the contracts.")
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
