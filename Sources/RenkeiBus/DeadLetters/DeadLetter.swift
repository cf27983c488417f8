public import Foundation

/// A message on a dead-letter topic, as operators see it. `value` holds the record's data: show it only to
/// operators entitled to, never log it.
public struct DeadLetter: Sendable {
    /// Where the dead letter is: `topic/partition/offset`, its stable reference.
    public var reference: DeadLetterReference
    public var envelope: Envelope?
    /// `ingest` or `delivery`.
    public var stage: String
    /// Stable reason codes, e.g. `unknown-code,too-long` or `webhook-gave-up`.
    public var reasons: [String]
    /// What failed, naming items but never values.
    public var message: String
    public var attempts: Int
    /// Where the record was before it failed (delivery stage).
    public var originalTopic: String?
    public var originalPartition: Int32?
    public var originalOffset: Int64?
    /// The input row (ingest stage, bulk transfers and batches).
    public var row: Int?
    public var firstFailure: Date?
    public var lastFailure: Date?
    public var value: [UInt8]

    /// The linkage of the dead letter, from its envelope or its topic name.
    public var linkage: String? { envelope?.linkage }
    /// The receiver of a delivery-stage dead letter.
    public var receiver: String? { envelope?.receiver }
}

/// `topic/partition/offset` of a dead letter.
public struct DeadLetterReference: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    /// Parses `topic/partition/offset`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 3, let partition = Int32(parts[1]), let offset = Int64(parts[2]),
            parts[0].hasPrefix(BusTopics.deadLetterPrefix)
        else { return nil }
        self.init(topic: String(parts[0]), partition: partition, offset: offset)
    }

    public var description: String { "\(topic)/\(partition)/\(offset)" }
}
