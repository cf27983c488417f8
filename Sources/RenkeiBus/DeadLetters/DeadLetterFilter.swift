public import Foundation

/// What an operator asks of the dead letters. Every condition that is set must hold.
public struct DeadLetterFilter: Sendable {
    public var linkage: String?
    public var receiver: String?
    /// One reason code the letter must carry.
    public var reason: String?
    public var since: Date?
    public var until: Date?

    public init(
        linkage: String? = nil, receiver: String? = nil, reason: String? = nil, since: Date? = nil, until: Date? = nil
    ) {
        self.linkage = linkage
        self.receiver = receiver
        self.reason = reason
        self.since = since
        self.until = until
    }

    public func matches(_ letter: DeadLetter) -> Bool {
        if let linkage, letter.linkage != linkage { return false }
        if let receiver, letter.receiver != receiver { return false }
        if let reason, !letter.reasons.contains(reason) { return false }
        let time = letter.lastFailure ?? letter.envelope?.time ?? .distantPast
        if let since, time < since { return false }
        if let until, time > until { return false }
        return true
    }
}
