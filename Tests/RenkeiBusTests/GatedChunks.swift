import RenkeiBus
import Synchronization

/// A one-shot signal: `wait()` returns once `fire()` was called, before or after.
final class Signal: Sendable {
    private struct State {
        var fired = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.fired else { return [] }
            state.fired = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let firedAlready = state.withLock { state -> Bool in
                if state.fired { return true }
                state.waiters.append(continuation)
                return false
            }
            if firedAlready { continuation.resume() }
        }
    }
}

/// Events in the order they happened, for tests that assert an ordering without measuring time.
final class EventLog: Sendable {
    private let events = Mutex<[String]>([])

    func append(_ event: String) { events.withLock { $0.append(event) } }

    var all: [String] { events.withLock { $0 } }
}

/// Hands out bytes in chunks like a request body arriving, but holds back the last chunk: it fires `reachedLast`
/// and waits for `release` first, so a test controls when a transfer can end while its other chunks stream.
struct GatedChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]

    let chunks: ByteChunks
    let chunkCount: Int
    let reachedLast = Signal()
    let release = Signal()

    init(bytes: [UInt8], chunkSize: Int) {
        self.chunks = ByteChunks(bytes, chunkSize: chunkSize)
        self.chunkCount = (bytes.count + chunkSize - 1) / chunkSize
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var chunks: ByteChunks.AsyncIterator
        let sequence: GatedChunks
        var index = 0

        mutating func next() async -> [UInt8]? {
            if index == sequence.chunkCount - 1 {
                sequence.reachedLast.fire()
                await sequence.release.wait()
            }
            index += 1
            return await chunks.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: chunks.makeAsyncIterator(), sequence: self) }
}
