public import Foundation

/// What the history says one linkage did to one receiver (receiver nil: the provider side) in a period.
///
/// One value per (linkage, receiver, kind) that has entries in the period: the operator console's linkage table
/// (records today, last delivery) is built from these, so it reads the index once rather than the topic.
public struct LinkageActivity: Sendable, Hashable {
    /// The linkage the entries were written under.
    public var linkage: String
    /// The receiving system the entries name; `nil` for entries that name none (a refusal, a dead letter of a
    /// submission).
    public var receiver: String?
    /// The kind of the entries counted.
    public var kind: HistoryEntry.Kind
    /// How many entries of this kind the period holds.
    public var entries: Int
    /// The sum of their record counts.
    public var records: Int
    /// The newest entry's time.
    public var last: Date

    /// An activity as the index counted it.
    public init(linkage: String, receiver: String?, kind: HistoryEntry.Kind, entries: Int, records: Int, last: Date) {
        self.linkage = linkage
        self.receiver = receiver
        self.kind = kind
        self.entries = entries
        self.records = records
        self.last = last
    }
}
