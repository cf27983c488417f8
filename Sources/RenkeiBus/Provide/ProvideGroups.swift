import RenkeiKafka
import Synchronization

/// Group commit for provides: a provide that arrives while a transaction is running waits, and goes into the
/// next transaction together with every other provide that arrived meanwhile (their messages and history entries
/// in arrival order). Alone, a provide is committed at once; under load, one transaction serves many, so
/// throughput grows with concurrency instead of queueing one transaction per provide.
///
/// All or nothing per group: if the transaction fails, every provide in it fails with that error and none of
/// them was delivered. Each provide's acknowledgement still comes only after the broker committed.
final class ProvideGroups: Sendable {
    struct Pending: Sendable {
        var messages: [KafkaOutgoingMessage]
        var history: [HistoryEntry]
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var draining = false
    }

    /// At most this many messages go into one transaction (a group never splits a provide).
    let maxMessages: Int
    private let state = Mutex(State())
    private let committed = Atomic<Int>(0)

    /// Transactions committed so far (each serving one group).
    var groupsCommitted: Int { committed.load(ordering: .relaxed) }

    init(maxMessages: Int = 10_000) {
        self.maxMessages = maxMessages
    }

    /// Commits `messages` and `history` in the next group; returns once that group's transaction committed.
    func commit(
        _ messages: [KafkaOutgoingMessage], history: [HistoryEntry], on bus: Bus
    ) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let startsDraining = state.withLock { state -> Bool in
                state.pending.append(Pending(messages: messages, history: history, continuation: continuation))
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if startsDraining { Task { await self.drain(on: bus) } }
        }
    }

    /// Commits groups until nothing is pending.
    private func drain(on bus: Bus) async {
        while let group = nextGroup() {
            do {
                _ = try await bus.commit(history: { _ in group.flatMap(\.history) }) { transaction in
                    try await transaction.send(group.flatMap(\.messages))
                }
                committed.add(1, ordering: .relaxed)
                for provide in group { provide.continuation.resume() }
            } catch {
                for provide in group { provide.continuation.resume(throwing: error) }
            }
        }
    }

    /// The pending provides that fit one transaction, oldest first; `nil` (and draining ends) when none is left.
    private func nextGroup() -> [Pending]? {
        state.withLock { state -> [Pending]? in
            guard !state.pending.isEmpty else {
                state.draining = false
                return nil
            }
            var count = 0
            var messages = 0
            for provide in state.pending {
                if count > 0 && messages + provide.messages.count > maxMessages { break }
                count += 1
                messages += provide.messages.count
            }
            defer { state.pending.removeFirst(count) }
            return Array(state.pending.prefix(count))
        }
    }
}
