public import RenkeiContracts

/// How often a delivery is tried and how long to wait between tries: the one retry rule of every delivery method
/// (push, a Swift receiver's handler, file). Built from a linkage's ``FailurePolicy``.
public struct RetryPolicy: Sendable, Hashable {
    /// Tries in all, the first included; at least 1.
    public var attempts: Int
    /// The wait after the first failed try.
    public var initialBackoff: Duration
    /// The longest wait; doubling stops here.
    public var maxBackoff: Duration

    public init(attempts: Int, initialBackoff: Duration, maxBackoff: Duration) {
        self.attempts = max(1, attempts)
        self.initialBackoff = max(.zero, initialBackoff)
        self.maxBackoff = max(self.initialBackoff, maxBackoff)
    }

    /// The linkage's `push-attempts` and back-off (`initial × 2^(n-1)`, capped at `max`).
    public init(_ policy: FailurePolicy) {
        self.init(
            attempts: policy.pushAttempts, initialBackoff: .milliseconds(policy.initialBackoffMilliseconds),
            maxBackoff: .milliseconds(policy.maxBackoffMilliseconds))
    }

    /// Whether another try follows failed try `attempt` (1-based).
    public func retries(afterAttempt attempt: Int) -> Bool { attempt < attempts }

    /// The wait after failed try `attempt` (1-based): `initialBackoff × 2^(attempt-1)`, at most `maxBackoff`.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initialBackoff
        var doublings = max(0, attempt - 1)
        while doublings > 0, delay < maxBackoff {
            delay *= 2
            doublings -= 1
        }
        return min(delay, maxBackoff)
    }
}
