/// How far a bulk transfer has come, reported while it streams.
public struct BulkProgress: Sendable {
    /// Records read from the input so far.
    public var records: Int
    /// Of which invalid.
    public var invalid: Int
    /// Input bytes read so far.
    public var bytes: Int
    /// Whether the transfer is complete and committed.
    public var committed: Bool
}
