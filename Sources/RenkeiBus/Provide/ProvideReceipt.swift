/// What a provider gets back once the broker committed its records.
public struct ProvideReceipt: Sendable {
    /// The event id of each accepted record, in input order (valid records only).
    public var eventIDs: [String]
    /// Records accepted and written for every receiver.
    public var accepted: Int
    /// Records that failed validation and went to the ingest dead-letter topic (`quarantine-invalid`).
    public var quarantined: Int
    /// Copies written per receiver system.
    public var deliveredTo: [String: Int]
    /// For a bulk transfer: its manifest per receiver.
    public var transfer: TransferSummary?
}

/// The outcome of a bulk transfer.
public struct TransferSummary: Sendable, Hashable {
    public var id: String
    public var records: Int
    /// The manifest written to each receiver.
    public var manifests: [String: TransferManifest]
}
