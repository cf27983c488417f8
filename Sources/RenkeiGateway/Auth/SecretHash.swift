import Crypto
import Foundation

/// SHA-256 as the contracts pin secrets and certificates: lowercase hexadecimal.
enum SecretHash {
    static func sha256Hex(_ text: String) -> String { sha256Hex(Array(text.utf8)) }

    static func sha256Hex(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    /// Lowercase hexadecimal, two digits a byte.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
