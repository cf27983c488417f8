/// An operator credential: municipal IT staff or the vendor running the bus. Operators inspect and replay dead
/// letters and query the history; they are no system and take part in no linkage. Every read of a dead letter's
/// record is written to the history under the operator's client id.
public struct Operator: Sendable, Hashable {
    /// The OAuth client id the operator authenticates with.
    public var clientID: String
    public var name: String
    /// Lowercase hex SHA-256 of the operator's client secret; the secret itself is never stored.
    public var secretSHA256: String
    /// The zone the operator works in. Only operators of the `mynumber` zone may be granted the scope that shows
    /// dead letters' personal items and 個人番号 unmasked; everyone else sees them masked.
    public var zone: Zone

    public init(clientID: String, name: String, secretSHA256: String, zone: Zone = .general) {
        self.clientID = clientID
        self.name = name
        self.secretSHA256 = secretSHA256
        self.zone = zone
    }
}
