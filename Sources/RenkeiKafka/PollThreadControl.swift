import Synchronization

/// Stop request and exit notification shared between a client and its dedicated poll thread.
final class PollThreadControl: Sendable {
    private let stop = Atomic<Bool>(false)
    private let exited = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Asks the thread to stop at its next check.
    func requestStop() { stop.store(true, ordering: .releasing) }

    /// Whether a stop was requested.
    var isStopRequested: Bool { stop.load(ordering: .acquiring) }

    /// Called by the thread as its last act.
    func markExited() {
        let waiters = exited.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.done = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until the thread called ``markExited()``.
    func waitForExit() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = exited.withLock { state -> Bool in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}

/// Makes one fetch-and-push iteration of a consumer's poll thread and a manual (re)assignment exclude each other: a
/// batch fetched for an old assignment is pushed before the channel moves to the new one, never after.
final class PollIterationLock: Sendable {
    private let mutex = Mutex(())

    func run<T>(_ body: () throws -> T) rethrows -> T {
        try mutex.withLock { _ in try body() }
    }
}
