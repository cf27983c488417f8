import RenkeiContracts
import Testing

@testable import RenkeiBus

@Suite struct RetryPolicyTests {
    @Test(arguments: [
        (1, Duration.milliseconds(500)), (2, .milliseconds(1000)), (3, .milliseconds(2000)),
        (4, .milliseconds(4000)), (8, .milliseconds(60_000)), (40, .milliseconds(60_000)),
    ])
    func backOffDoublesFromTheInitialWaitUpToTheMaximum(attempt: Int, expected: Duration) {
        let policy = RetryPolicy(FailurePolicy(pushAttempts: 5, initialBackoffMilliseconds: 500))
        #expect(policy.delay(afterAttempt: attempt) == expected)
    }

    @Test func retriesUntilTheLinkagesAttemptsAreUsed() {
        let policy = RetryPolicy(FailurePolicy(pushAttempts: 3))
        #expect(policy.attempts == 3)
        #expect(policy.retries(afterAttempt: 1))
        #expect(policy.retries(afterAttempt: 2))
        #expect(!policy.retries(afterAttempt: 3))
    }

    @Test func triesAtLeastOnceAndNeverWaitsBeyondTheMaximum() {
        let policy = RetryPolicy(attempts: 0, initialBackoff: .seconds(2), maxBackoff: .seconds(1))
        #expect(policy.attempts == 1)
        #expect(!policy.retries(afterAttempt: 1))
        #expect(policy.delay(afterAttempt: 1) == .seconds(2), "the maximum is never below the initial wait")
        #expect(policy.delay(afterAttempt: 5) == .seconds(2))
    }

    @Test func aZeroInitialWaitRetriesAtOnce() {
        let policy = RetryPolicy(attempts: 4, initialBackoff: .zero, maxBackoff: .seconds(1))
        #expect(policy.delay(afterAttempt: 3) == .zero)
    }
}
