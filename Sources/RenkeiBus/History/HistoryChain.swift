import Synchronization

/// The head of one writer's chain. Entries are sealed inside a transaction and the head moves only when the
/// transaction commits, so an aborted transaction leaves no gap.
final class HistoryChain: Sendable {
    struct Head: Sendable, Equatable {
        var sequence: Int
        var hash: String
    }

    let id: String
    private let head: Mutex<Head>

    init(id: String, head: Head = Head(sequence: 0, hash: HistoryHashing.genesis)) {
        self.id = id
        self.head = Mutex(head)
    }

    var current: Head { head.withLock { $0 } }

    /// Numbers and hashes `entries` after the current head, without moving it; returns them and the new head.
    func seal(_ entries: [HistoryEntry]) -> (entries: [HistoryEntry], head: Head) {
        var position = current
        let sealed = entries.map { draft in
            var entry = draft
            entry.chain = id
            entry.sequence = position.sequence + 1
            entry.previousHash = position.hash
            entry.hash = HistoryHashing.hash(of: entry)
            position = Head(sequence: entry.sequence, hash: entry.hash)
            return entry
        }
        return (sealed, position)
    }

    /// Moves the head after a commit; `expected` guards against a seal made from a stale head.
    func advance(from expected: Head, to newHead: Head) -> Bool {
        head.withLock { head in
            guard head == expected else { return false }
            head = newHead
            return true
        }
    }
}
