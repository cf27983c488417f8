/// Shared state that could not be written or read in time: the broker is down or slow. Retriable.
public struct SharedStateError: Error, Sendable, CustomStringConvertible {
    /// The shared topic.
    public var topic: String
    public var reason: String

    public var isRetriable: Bool { true }

    public var description: String { "shared state \(topic): \(reason)" }
}
