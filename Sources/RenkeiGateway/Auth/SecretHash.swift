import Crypto
import Foundation

/// SHA-256 of a secret as the contracts pin it: lowercase hexadecimal.
enum SecretHash {
    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
