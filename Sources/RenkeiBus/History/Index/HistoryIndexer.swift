import Foundation
public import Logging
public import RenkeiKafka
import Synchronization

/// Keeps a ``HistoryIndex`` up to date with the history topic: reads from the offset the index has stored to the
/// topic's end, a page at a time, fetching the key lists entries reference, and indexes each page in one
/// transaction. A bus runs it as a follower (a sync every half second through the bus's long-lived consumers);
/// a command syncs once before it answers.
public final class HistoryIndexer: Sendable {
    public let index: HistoryIndex
    let reader: TopicReader
    let logger: Logger
    /// Messages per page: bounds the memory of a rebuild.
    let pageSize: Int
    private let gate = SerialGate()
    private let state = Mutex(State())

    private struct State {
        /// The topic's end (read-committed high watermark) when last asked.
        var end: Int64?
        var indexed: Int64 = 0
        var follower: Task<Void, Never>?
        var catchUp: Task<Bool, Never>?
        var messagesRead = 0
    }

    /// Messages of the history topic this indexer has read, syncs and start-up together: tests hold a restart on
    /// an index that is up to date to the one message that checks its head.
    var messagesRead: Int { state.withLock { $0.messagesRead } }

    /// Backlogs of at least this many offsets are indexed without the lookup indexes, built once at the end.
    let bulkThreshold: Int64

    init(
        index: HistoryIndex, reader: TopicReader, logger: Logger, pageSize: Int = 5000, bulkThreshold: Int64 = 200_000
    ) {
        self.index = index
        self.reader = reader
        self.logger = logger
        self.pageSize = pageSize
        self.bulkThreshold = bulkThreshold
    }

    /// Indexes with clients of its own (a command that asks one question), using `admin` when it has one.
    public convenience init(
        index: HistoryIndex, configuration: KafkaConfiguration, admin: KafkaAdmin? = nil, logger: Logger
    ) throws {
        // Two: a sync holds one for the history topic while it reads the key lists its entries reference.
        let pool = ReaderPool(configuration: configuration, logger: logger, maxClients: 2)
        self.init(
            index: index,
            reader: TopicReader(
                pool: pool, admin: try admin ?? KafkaAdmin.make(configuration: configuration, logger: logger)),
            logger: logger)
    }

    /// How far a sync got.
    public struct Progress: Sendable {
        /// Offsets of the topic read so far in this sync, and in all.
        public var done: Int64
        public var total: Int64
        /// Entries indexed so far in this sync.
        public var entries: Int
    }

    /// Reads the topic from the index's next offset to the end the topic has now, indexing page by page; returns
    /// the entries indexed. Syncs run one at a time.
    @discardableResult
    public func sync(progress: (@Sendable (Progress) -> Void)? = nil) async throws -> Int {
        try await gate.run {
            let topic = index.topic
            guard let marks = try await reader.watermarks(topic)[0] else {
                state.withLock { $0.end = 0 }
                return 0
            }
            var first = try await index.nextOffset()
            if first > marks.high {
                // The topic is shorter than what was indexed: it was recreated. Nothing indexed can be trusted.
                try await index.reset(
                    logger: logger, reason: "the topic ends at offset \(marks.high), before the index (\(first))")
                first = 0
            }
            state.withLock { state in (state.end, state.indexed) = (marks.high, first) }
            // A large backlog (a rebuild) is written without the lookup indexes, which are built once at the end;
            // any other sync makes sure they exist (a rebuild may have been interrupted).
            let bulk = marks.high - max(first, marks.low) >= bulkThreshold
            if bulk {
                logger.notice(
                    "indexing the history from offset \(first) to \(marks.high); lookups are built at the end",
                    metadata: ["renkei.topic": "\(topic)"])
                try await index.dropLookupIndexes()
            } else {
                try await index.createLookupIndexes()
            }
            var next = first
            var indexed = 0
            if next < marks.low, next < marks.high {
                logger.notice(
                    "history entries before the oldest offset the topic retains are not indexed",
                    metadata: [
                        "renkei.topic": "\(topic)", "renkei.from": "\(next)", "renkei.retained-from": "\(marks.low)",
                    ])
            }
            // A page is written (on the database's own thread) while the next is read and decoded.
            var writing: Task<(HistoryIndex.Applied, Int64), any Error>?
            func finishWriting() async throws {
                guard let (applied, pageNext) = try await writing?.value else { return }
                writing = nil
                indexed += applied.entries
                next = pageNext
                state.withLock { $0.indexed = next }
                progress?(Progress(done: next - first, total: marks.high - first, entries: indexed))
            }
            do {
                try await reader.readPages(topic: topic, from: [0: next], ends: [0: marks], pageSize: pageSize) {
                    page in
                    state.withLock { $0.messagesRead += page.messages.count }
                    let reads = page.messages.map { HistoryIndex.Read(offset: $0.offset, bytes: $0.value) }
                    let keyLists = try await readKeyLists(reads)
                    let pageNext = page.next[0] ?? marks.high
                    try await finishWriting()
                    let index = self.index
                    let expected = next
                    writing = Task {
                        (
                            try await index.apply(reads, keyLists: keyLists, expecting: expected, next: pageNext),
                            pageNext
                        )
                    }
                    for read in reads {
                        guard case .failure(let unreadable) = read.entry else { continue }
                        logger.warning(
                            "a history message is not an entry; it is left out of the index",
                            metadata: [
                                "renkei.topic": "\(topic)", "renkei.partition": "0", "renkei.offset": "\(read.offset)",
                                "renkei.reason": "\(unreadable.reason)",
                            ])
                    }
                }
                try await finishWriting()
                if bulk {
                    let started = ContinuousClock.now
                    try await index.createLookupIndexes()
                    logger.notice(
                        "history index lookups built", metadata: ["renkei.seconds": "\(ContinuousClock.now - started)"])
                }
            } catch {
                // No write outlives the sync that started it.
                _ = try? await writing?.value
                throw error
            }
            // A read that found nothing to read (all retained offsets indexed) leaves the stored offset where it is.
            state.withLock { $0.indexed = next }
            return indexed
        }
    }

    /// The keys of the key lists `reads` reference that the index lacks. A list that is gone or altered is
    /// indexed with the reason (its keys cannot be found); a broker error fails the sync, to be retried.
    private func readKeyLists(
        _ reads: [HistoryIndex.Read]
    ) async throws -> [HistoryKeyList: Result<[String], KeyListUnavailable>] {
        let lists = Set(reads.compactMap { try? $0.entry.get().keyList })
        var found: [HistoryKeyList: Result<[String], KeyListUnavailable>] = [:]
        for list in try await index.missingKeyLists(lists) {
            do {
                found[list] = .success(try await reader.keys(of: list))
            } catch let unavailable as KeyListUnavailable {
                logger.warning(
                    "a key list of the history cannot be read; its keys are not findable in the index",
                    metadata: ["renkei.reason": "\(unavailable)"])
                found[list] = .failure(unavailable)
            }
        }
        return found
    }

    /// Waits up to `limit` for the index to reach the topic's current end; returns whether it did. Answers given
    /// after a `false` say how far behind they are (``behind``).
    @discardableResult
    public func catchUp(within limit: Duration) async -> Bool {
        // One catch-up sync at a time, shared by every caller: questions during a rebuild do not queue syncs.
        let sync = state.withLock { state -> Task<Bool, Never> in
            if let running = state.catchUp { return running }
            let task = Task { [weak self] in
                guard let self else { return false }
                defer { self.state.withLock { $0.catchUp = nil } }
                return (try? await self.sync()) != nil
            }
            state.catchUp = task
            return task
        }
        // Whichever comes first: the sync's end or the limit. The sync goes on after the limit.
        let answer = FirstAnswer<Bool>()
        return await withCheckedContinuation { continuation in
            answer.set(continuation)
            Task { answer.give(await sync.value) }
            Task {
                try? await Task.sleep(for: limit)
                answer.give(false)
            }
        }
    }

    /// Offsets of the topic beyond what is indexed, as of the last sync (`nil` before the first).
    public var behind: Int64? {
        state.withLock { state in state.end.map { max(0, $0 - state.indexed) } }
    }

    /// A page of answers from the index, saying how far behind the topic it is.
    public func page(_ query: HistoryQuery) async throws -> HistoryPage {
        var page = try await index.page(query)
        page.behind = behind
        return page
    }

    /// Starts following the topic: a sync every `interval`, logging progress while far behind (a rebuild).
    func follow(every interval: Duration = .milliseconds(500)) {
        let task = Task { [weak self] in
            let lastReport = Mutex(ContinuousClock.now)
            while !Task.isCancelled {
                guard let self else { return }
                do {
                    try await self.sync { progress in
                        let due = lastReport.withLock { last in
                            guard ContinuousClock.now - last > .seconds(2) else { return false }
                            last = ContinuousClock.now
                            return true
                        }
                        guard progress.total > 10_000, due else { return }
                        self.logger.notice(
                            "indexing the history",
                            metadata: [
                                "renkei.done": "\(progress.done)", "renkei.total": "\(progress.total)",
                                "renkei.entries": "\(progress.entries)",
                            ])
                    }
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.warning(
                        "the history index could not follow the topic", metadata: ["renkei.error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
        state.withLock { $0.follower = task }
    }

    /// Stops following and waits for the syncs under way.
    func stop() async {
        let (follower, catchUp) = state.withLock { state in
            defer { (state.follower, state.catchUp) = (nil, nil) }
            return (state.follower, state.catchUp)
        }
        follower?.cancel()
        catchUp?.cancel()
        await follower?.value
        _ = await catchUp?.value
    }

    /// The head of `chain` at start, without reading the history: the index's head, checked against the entry the
    /// topic holds at its offset, unless the part of the topic not yet indexed holds a newer entry of the chain
    /// (found by reading back from the end, by message key, in growing windows). An index that does not match the
    /// topic (the topic is shorter than the index, or the head entry differs) is emptied and rebuilt.
    func recoverHead(of chain: String) async throws -> HistoryChain.Head {
        let topic = index.topic
        let marks = try await reader.watermarks(topic)[0] ?? KafkaWatermarks(low: 0, high: 0)
        var next = try await index.nextOffset()
        var indexed = try await index.head(of: chain)
        if next > marks.high {
            try await index.reset(
                logger: logger, reason: "the topic ends at offset \(marks.high), before the index (\(next))")
            (next, indexed) = (0, nil)
        } else if let head = indexed, head.offset >= marks.low {
            let stored = try await reader.read(topic: topic, ranges: [0: head.offset..<(head.offset + 1)]).messages
            state.withLock { $0.messagesRead += stored.count }
            if stored.first.flatMap({ HistoryHashing.decode($0.value) })?.hash != head.head.hash {
                try await index.reset(
                    logger: logger, reason: "the entry at offset \(head.offset) is not the one the index holds there")
                (next, indexed) = (0, nil)
            }
        }
        let unindexed = max(next, marks.low)..<marks.high
        if let newer = try await newestEntry(of: chain, in: unindexed) {
            return HistoryChain.Head(sequence: newer.sequence, hash: newer.hash)
        }
        return indexed?.head ?? HistoryChain.Head(sequence: 0, hash: HistoryHashing.genesis)
    }

    /// The newest entry of `chain` in `range` of the history topic, reading back from its end.
    private func newestEntry(of chain: String, in range: Range<Int64>) async throws -> HistoryEntry? {
        let key = Array(chain.utf8)
        var upper = range.upperBound
        var window: Int64 = 1024
        while upper > range.lowerBound {
            let lower = max(range.lowerBound, upper - window)
            let messages = try await reader.read(topic: index.topic, ranges: [0: lower..<upper]).messages
            state.withLock { $0.messagesRead += messages.count }
            if let last = messages.last(where: { $0.key == key }), let entry = HistoryHashing.decode(last.value) {
                return entry
            }
            upper = lower
            window = min(window * 4, 262_144)
        }
        return nil
    }
}

/// Resumes a continuation with the first answer given, once; later answers are dropped.
private final class FirstAnswer<Value: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Value, Never>?, early: Value?)>((nil, nil))

    func set(_ continuation: CheckedContinuation<Value, Never>) {
        let early = state.withLock { state -> Value? in
            guard let early = state.early else {
                state.continuation = continuation
                return nil
            }
            return early
        }
        if let early { continuation.resume(returning: early) }
    }

    func give(_ value: Value) {
        let continuation = state.withLock { state -> CheckedContinuation<Value, Never>? in
            guard let continuation = state.continuation else {
                if state.early == nil { state.early = value }
                return nil
            }
            state.continuation = nil
            state.early = value
            return continuation
        }
        continuation?.resume(returning: value)
    }
}
