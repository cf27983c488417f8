import Foundation
import RenkeiBus

/// An operator signed in to the console. The access token stays here, in the server's memory; the browser holds
/// only the session's id in an HttpOnly cookie, and sends the CSRF token back in each form.
struct ConsoleSession: Sendable {
    /// The cookie's value: 32 random bytes, base64url.
    let id: String
    /// Sent in every form as `csrf`; a POST without it is refused.
    let csrf: String
    /// The operator's access token, issued at sign-in with the operator's scopes and again, with the same scopes,
    /// when it is about to expire while the session is in use.
    var token: String
    var tokenExpires: Date
    let clientID: String
    /// The operator's name from the contracts, for the page header.
    let name: String
    /// The scopes asked for at sign-in, space-separated.
    let scopes: String
    let started: Date
    var lastSeen: Date

    /// 32 random bytes as base64url without padding.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Base64URL.encode(bytes)
    }
}
