public import Foundation

/// base64url without padding (RFC 4648 §5), as tokens, cursors and thumbprints carry bytes in URLs and headers.
public enum Base64URL {
    public static func encode(_ bytes: some DataProtocol) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
