/// An operator credential: municipal IT staff or the vendor running the bus. Operators inspect and replay dead
/// letters and query the history; they are no system and take part in no linkage.
public struct Operator: Sendable, Hashable {
    /// The OAuth client id the operator authenticates with.
    public var clientID: String
    public var name: String
    /// Lowercase hex SHA-256 of the operator's client secret; the secret itself is never stored.
    public var secretSHA256: String

    public init(clientID: String, name: String, secretSHA256: String) {
        self.clientID = clientID
        self.name = name
        self.secretSHA256 = secretSHA256
    }
}
