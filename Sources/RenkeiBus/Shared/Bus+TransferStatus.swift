public import Foundation

extension Bus {
    /// The status of transfer `id` as the cluster knows it. A `streaming` status that no instance has written for
    /// ``TransferStatus/staleAfter`` belongs to an instance that died: it is settled from the history — committed
    /// when the history has the transfer's provide entry (the instance died after the commit, before it wrote the
    /// status), else failed with problem `interrupted` (no receiver ever saw any of it).
    public func transferStatus(_ id: String, now: Date = Date()) async -> TransferStatus? {
        guard let status = shared.transfer(id) else { return nil }
        guard status.state == .streaming, now.timeIntervalSince(status.updatedAt) > TransferStatus.staleAfter else {
            return status
        }
        return await settled(status) ?? status
    }

    /// Writes the outcome of the transfers this instance was streaming when it last stopped (a crash, `kill -9`):
    /// committed or interrupted, as ``transferStatus(_:now:)`` tells them. Returns how many; a transfer whose outcome
    /// the history cannot tell yet (its index is behind) is left for the readers to settle.
    @discardableResult
    public func settleInterruptedTransfers() async throws -> Int {
        let mine = shared.streaming(of: configuration.instance)
        guard !mine.isEmpty, await history.catchUp(within: configuration.kafka.operationTimeout) else { return 0 }
        var settled = 0
        for status in mine {
            guard let outcome = await self.settled(status) else { continue }
            try await shared.record(outcome)
            settled += 1
        }
        return settled
    }

    /// `status` settled from the history; `nil` when the history cannot be read.
    private func settled(_ status: TransferStatus) async -> TransferStatus? {
        let provide: HistoryEntry?
        do {
            provide = try await history.index.provide(ofTransfer: status.id)
        } catch {
            return nil
        }
        var outcome = status
        if let provide {
            outcome.state = .committed
            outcome.accepted = provide.recordCount
            outcome.finishedAt = provide.time
        } else {
            outcome.state = .failed
            outcome.problem = "interrupted"
            outcome.finishedAt = status.updatedAt
        }
        return outcome
    }
}
