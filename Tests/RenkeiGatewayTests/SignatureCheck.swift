import Crypto
import Foundation
import RenkeiGateway

/// A receiver's check of a Standard Webhooks signature, written here from the scheme (not with the bus's signer):
/// HMAC-SHA256 over `webhook-id.webhook-timestamp.body` with the base64 key after `whsec_`.
enum SignatureCheck {
    /// Whether `headers` carry a valid `v1` signature of `body` under `system`'s demo signing secret, made within
    /// the last five minutes.
    static func isValid(_ headers: [String: String], body: [UInt8], system: String) -> Bool {
        let secret = ClientSecrets.demoSigningSecret(system: system)
        guard let id = headers["webhook-id"], let timestamp = headers["webhook-timestamp"],
            let seconds = Double(timestamp), abs(Date().timeIntervalSince1970 - seconds) < 300,
            let signatures = headers["webhook-signature"],
            let key = Data(base64Encoded: String(secret.dropFirst("whsec_".count)))
        else { return false }
        let expected = Data(
            HMAC<SHA256>.authenticationCode(
                for: Array("\(id).\(timestamp).".utf8) + body, using: SymmetricKey(data: key))
        ).base64EncodedString()
        // Several signatures may be sent, space-separated, while a secret is being replaced.
        return signatures.split(separator: " ").contains { $0 == "v1,\(expected)" }
    }
}
