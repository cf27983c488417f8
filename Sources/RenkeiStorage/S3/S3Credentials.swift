public import Foundation

/// An access key for an S3-compatible service. Its description shows only the start of the key id; the secret
/// and the session token are never printed, logged or put in an error.
public struct S3Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    /// A temporary session's token, sent as `x-amz-security-token`.
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The standard environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optionally `AWS_SESSION_TOKEN`;
    /// nil unless both the key id and the secret are set and non-empty.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> S3Credentials? {
        guard let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty,
            let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        else { return nil }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return S3Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
    }

    /// Reads a secrets file of `key=value` lines:
    ///
    /// ```
    /// # comments and blank lines are ignored; spaces around keys and values are trimmed
    /// access_key_id=AKIA...
    /// secret_access_key=...
    /// session_token=...        (optional)
    /// ```
    ///
    /// Keys are case-insensitive and may also be spelled as in the environment (`AWS_ACCESS_KEY_ID`,
    /// `aws_secret_access_key`), so a file mounted from a secret store or a `[default]`-less AWS credentials file
    /// reads as is. Errors name the file and line, never a value.
    public static func load(secretsFile path: String) throws(StorageError) -> S3Credentials {
        func invalid(_ reason: String) -> StorageError {
            StorageError(.missingCredentials, reason: "secrets file \(path): \(reason)")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw invalid("cannot be read") }
        var values: [String: String] = [:]
        for (index, rawLine) in String(decoding: data, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        ).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw invalid("line \(index + 1): expected key=value")
            }
            var key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            if key.hasPrefix("aws_") { key.removeFirst(4) }
            guard ["access_key_id", "secret_access_key", "session_token"].contains(key) else {
                throw invalid("line \(index + 1): unknown key '\(key)'")
            }
            values[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        guard let id = values["access_key_id"], !id.isEmpty else { throw invalid("access_key_id is missing") }
        guard let secret = values["secret_access_key"], !secret.isEmpty else {
            throw invalid("secret_access_key is missing")
        }
        let token = values["session_token"].flatMap { $0.isEmpty ? nil : $0 }
        return S3Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
    }

    public var description: String {
        "S3Credentials(accessKeyID: \(accessKeyID.prefix(4))…, secretAccessKey: <redacted>"
            + (sessionToken == nil ? ")" : ", sessionToken: <redacted>)")
    }

    public var debugDescription: String { description }
}
