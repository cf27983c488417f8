/// A linkage requirement (連携要件): on what occasion which items go from which provider to which receivers.
public struct Linkage: Sendable, Hashable {
    public var id: String
    public var title: String
    public var mode: LinkageMode
    public var trigger: Trigger
    /// The providing system's id.
    public var provider: String
    public var layout: LayoutReference
    /// The field key of the item that identifies a record (the Kafka message key).
    public var keyItem: String
    public var receivers: [Receiver]
    public var failurePolicy: FailurePolicy
    /// When a `daily` linkage's window closes (its files are written); `nil` for other triggers.
    public var schedule: DailySchedule?

    public init(
        id: String, title: String, mode: LinkageMode, trigger: Trigger, provider: String, layout: LayoutReference,
        keyItem: String, receivers: [Receiver], failurePolicy: FailurePolicy = FailurePolicy(),
        schedule: DailySchedule? = nil
    ) {
        self.id = id
        self.title = title
        self.mode = mode
        self.trigger = trigger
        self.provider = provider
        self.layout = layout
        self.keyItem = keyItem
        self.receivers = receivers
        self.failurePolicy = failurePolicy
        self.schedule = schedule ?? (trigger == .daily ? DailySchedule() : nil)
    }

    /// The receiver entry for `system`, if the linkage declares one.
    public func receiver(_ system: String) -> Receiver? { receivers.first { $0.system == system } }
}

public enum LinkageMode: String, Sendable, Hashable, CaseIterable {
    /// 提供: the provider sends records to the receivers.
    case provide
    /// 照会: a receiver asks the provider for records.
    case query
}

public enum Trigger: String, Sendable, Hashable, CaseIterable {
    /// On every change (異動) at the provider.
    case event
    /// Once a day, typically a full or differential bulk transfer.
    case daily
    /// When a receiver asks.
    case onDemand = "on-demand"
}

/// One receiver of a linkage and exactly what it gets.
public struct Receiver: Sendable, Hashable {
    public var system: String
    /// Field keys of the items this receiver gets, in layout order.
    public var items: [String]
    public var delivery: Delivery
    /// Why the receiver gets the data (利用目的), recorded in every history entry.
    public var purpose: String
    /// For `file` delivery: whether each file holds the current state of every key or what changed since the last
    /// file; `nil` for other delivery methods.
    public var fileMode: FileMode?

    public init(system: String, items: [String], delivery: Delivery, purpose: String, fileMode: FileMode? = nil) {
        self.system = system
        self.items = items
        self.delivery = delivery
        self.purpose = purpose
        self.fileMode = fileMode ?? (delivery == .file ? .differential : nil)
    }
}

public enum Delivery: String, Sendable, Hashable, CaseIterable {
    /// The receiver reads a feed with a cursor (the standard's PULL method).
    case pull
    /// The bus POSTs each record to the receiver's webhook.
    case push
    /// The bus writes CSV files and a manifest into the receiver's storage location.
    case file
    /// A Swift receiver consumes its Kafka topic through the library.
    case kafka
}

/// What happens when records are invalid or deliveries fail.
public struct FailurePolicy: Sendable, Hashable {
    public var invalidRows: InvalidRowPolicy
    /// Push attempts before a record goes to the dead-letter topic (at least 1).
    public var pushAttempts: Int
    /// Back-off before the second attempt, in milliseconds; doubles each attempt up to `maxBackoffMilliseconds`.
    public var initialBackoffMilliseconds: Int
    public var maxBackoffMilliseconds: Int

    public init(
        invalidRows: InvalidRowPolicy = .reject, pushAttempts: Int = 5, initialBackoffMilliseconds: Int = 500,
        maxBackoffMilliseconds: Int = 60_000
    ) {
        self.invalidRows = invalidRows
        self.pushAttempts = pushAttempts
        self.initialBackoffMilliseconds = initialBackoffMilliseconds
        self.maxBackoffMilliseconds = maxBackoffMilliseconds
    }
}

public enum InvalidRowPolicy: String, Sendable, Hashable, CaseIterable {
    /// One invalid row rejects the whole submission.
    case reject
    /// Invalid rows go to the dead-letter topic; valid rows proceed.
    case quarantineInvalid = "quarantine-invalid"
}

/// What a file receiver's files hold.
public enum FileMode: String, Sendable, Hashable, CaseIterable {
    /// 全件: the current state of every key, as last provided.
    case full
    /// 差分: the records provided since the receiver's previous file.
    case differential
}

/// The time of day a `daily` linkage's window closes, in a named time zone (Asia/Tokyo unless the contract says
/// otherwise).
public struct DailySchedule: Sendable, Hashable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int
    /// An IANA time zone id.
    public var timeZone: String

    public init(hour: Int = 0, minute: Int = 0, timeZone: String = "Asia/Tokyo") {
        self.hour = hour
        self.minute = minute
        self.timeZone = timeZone
    }

    /// `HH:MM zone`.
    public var description: String {
        let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(hour)):\(two(minute)) \(timeZone)"
    }
}
