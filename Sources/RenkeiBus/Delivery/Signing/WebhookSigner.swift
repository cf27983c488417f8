import Crypto
public import Foundation

/// Signs outbound calls the Standard Webhooks way, so that a receiver can tell the bus from anyone else: the
/// headers `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,` and the base64
/// HMAC-SHA256 of `id.timestamp.body` under the system's secret).
///
/// The id is the event id for pushes (the same on every retry, so a receiver can drop a second copy) and the
/// correlation id for queries; the timestamp is the attempt's, so a receiver can refuse stale or replayed calls.
public struct WebhookSigner: Sendable {
    /// The key's bytes (`SymmetricKey` is not `Sendable`; one is made per signature, which costs a copy of 32 bytes).
    private let key: [UInt8]

    /// A signer for `secret`, written `whsec_` and the base64 of 24 to 64 random bytes.
    public init(secret: String) throws(WebhookSecretError) {
        guard secret.hasPrefix(Self.prefix) else {
            throw WebhookSecretError("a signing secret must start with `\(Self.prefix)`")
        }
        guard let bytes = Data(base64Encoded: String(secret.dropFirst(Self.prefix.count))) else {
            throw WebhookSecretError("a signing secret must be `\(Self.prefix)` and base64")
        }
        guard (24...64).contains(bytes.count) else {
            throw WebhookSecretError("a signing secret must hold 24 to 64 bytes, this one holds \(bytes.count)")
        }
        key = Array(bytes)
    }

    static let prefix = "whsec_"

    /// The three headers for a call with `id`, made at `time`, carrying `body`.
    public func headers(id: String, time: Date, body: [UInt8]) -> [(String, String)] {
        let timestamp = String(Int64(time.timeIntervalSince1970.rounded(.down)))
        return [
            ("webhook-id", id), ("webhook-timestamp", timestamp),
            ("webhook-signature", "v1," + signature(id: id, timestamp: timestamp, body: body)),
        ]
    }

    /// The base64 HMAC-SHA256 of `id.timestamp.body`.
    func signature(id: String, timestamp: String, body: [UInt8]) -> String {
        var authenticator = HMAC<SHA256>(key: SymmetricKey(data: key))
        authenticator.update(data: Array("\(id).\(timestamp).".utf8))
        authenticator.update(data: body)
        return Data(authenticator.finalize()).base64EncodedString()
    }

    /// A new random secret of 32 bytes, for `renkei` to suggest to an operator.
    public static func newSecret() -> String {
        prefix + Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64EncodedString()
    }
}

/// A signing secret that cannot be used.
public struct WebhookSecretError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The signers of the systems the bus calls, by system id.
public struct WebhookSigners: Sendable {
    private var signers: [String: WebhookSigner]

    public init(_ signers: [String: WebhookSigner] = [:]) { self.signers = signers }

    /// The signer of `system`; `nil` when none was given (a library user's choice: calls then go unsigned).
    public func signer(for system: String) -> WebhookSigner? { signers[system] }

    /// The signature headers of a call to `system`, or none when it has no signer.
    func headers(system: String, id: String, body: [UInt8]) -> [(String, String)] {
        signers[system]?.headers(id: id, time: Date(), body: body) ?? []
    }
}
