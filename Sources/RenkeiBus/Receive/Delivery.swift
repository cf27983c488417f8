/// One record as a receiver gets it: its envelope and its JSON, projected to the receiver's items.
public struct ReceivedRecord: Sendable {
    public var envelope: Envelope
    /// The record key (ce_subject).
    public var key: String?
    /// The record as a JSON object with exactly the receiver's items.
    public var value: [UInt8]
    /// Where it came from: the outbound topic's partition and offset (for a transfer, its manifest's).
    public var partition: Int32
    public var offset: Int64
    /// For a record of a bulk transfer: the transfer id and the record's 0-based position in it.
    public var transfer: String?
    public var transferIndex: Int?

    /// An id receivers de-duplicate by: the event id, or `transfer/index` for records of a bulk transfer.
    public var deduplicationID: String {
        if let transfer, let transferIndex { return "\(transfer)/\(transferIndex)" }
        return envelope.id
    }
}

/// One page of a feed and where to continue.
public struct FeedPage: Sendable {
    public var deliveries: [ReceivedRecord]
    public var next: FeedCursor
    /// Whether the feed had more than this page at the time of reading.
    public var hasMore: Bool
}
