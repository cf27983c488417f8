public import Foundation

/// What a delivery could not hand over and why: one record, or a whole file of a transfer or window. Goes with the
/// dead letter and its history entry (``Bus/deadLetterDelivery(_:linkage:receiver:description:)``).
public struct DeliveryFailure: Sendable, Hashable {
    /// Record keys concerned (宛名番号), when few enough to list.
    public var keys: [String]
    /// Event ids concerned.
    public var events: [String]
    /// The bulk transfer the records belong to, if any.
    public var transfer: String?
    /// Records concerned; `keys.count` when not given.
    public var recordCount: Int
    /// A stable reason code (`webhook-gave-up`, `receiver-rejected`, `handler-failed`, …).
    public var reason: String
    /// What went wrong, for operators; never record values.
    public var message: String
    /// Tries made.
    public var attempts: Int
    public var firstFailure: Date
    public var lastFailure: Date
    /// For a file delivery: the data file that was not written, `<storage location>/<name>`.
    public var file: String?

    public init(
        keys: [String] = [], events: [String] = [], transfer: String? = nil, recordCount: Int? = nil, reason: String,
        message: String, attempts: Int, firstFailure: Date, lastFailure: Date = Date(), file: String? = nil
    ) {
        self.keys = keys
        self.events = events
        self.transfer = transfer
        self.recordCount = recordCount ?? keys.count
        self.reason = reason
        self.message = message
        self.attempts = attempts
        self.firstFailure = firstFailure
        self.lastFailure = lastFailure
        self.file = file
    }
}
