extension HistoryReader {
    /// Checks every chain in the topic, reading it a page at a time: memory holds one page, never the history.
    /// Entries removed by retention are reported apart from tampering.
    ///
    /// From a `checkpoint`, reading starts at its oldest chain head instead of the beginning; each head must still
    /// be there unchanged and the topic must not end below the checkpoint. `pageSize` is how many messages one read
    /// holds; `progress` is called after each page.
    public func verify(
        from checkpoint: HistoryCheckpoint?, pageSize: Int = 5000,
        progress: (@Sendable (HistoryVerification.Progress) -> Void)? = nil
    ) async throws -> HistoryVerification.Report {
        precondition(pageSize > 0, "a page holds at least one message")
        // Fixed once: entries written while the verification runs are for the next one.
        let ends = try await reader.watermarks(topic)
        let retainedFrom = ends.values.map(\.low).min() ?? 0
        let end = ends.values.map(\.high).max() ?? 0
        let start = max(checkpoint?.readFrom ?? 0, retainedFrom)
        var verifier = HistoryVerifier(retainedFrom: retainedFrom, from: checkpoint)
        // A partition whose next offset reaches its end is done (also one that retention emptied).
        var next = ends.mapValues { max(start, $0.low) }
        var read = 0
        try await reader.readPages(topic: topic, from: next, ends: ends, pageSize: pageSize) { page in
            for message in page.messages {
                if let entry = HistoryHashing.decode(message.value) {
                    verifier.check(offset: message.offset, entry: entry)
                    read += 1
                } else {
                    verifier.unreadable(offset: message.offset)
                }
            }
            next.merge(page.next) { $1 }
            progress?(
                HistoryVerification.Progress(entries: read, offset: next.values.max() ?? end, end: end, start: start))
        }
        return verifier.report(end: end)
    }
}
