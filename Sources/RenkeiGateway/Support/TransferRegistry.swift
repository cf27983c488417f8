import Foundation
import Logging
import RenkeiBus
import RenkeiContracts
import Synchronization

/// Bulk transfers as every gateway instance of the cluster answers about them: progress while they stream, then
/// their outcome and manifests. The instance that takes an upload writes its status to the bus's ``SharedState``
/// when it starts, at most once a second while it streams, and when it ends (and answers the upload only after
/// that last write), so `GET /transfers/{id}` answers the same at every instance and after a restart. The records
/// themselves are on the bus, reached through the manifests.
///
/// While a transfer streams, its status is written at least every ``heartbeat``; a `streaming` status that no
/// instance has written for ``staleAfter`` belongs to an instance that died, and is answered as `failed` with
/// problem `interrupted` (the instance itself writes that when it starts again).
final class TransferRegistry: Sendable {
    private let shared: SharedState
    private let instance: String
    private let logger: Logger
    /// How often a streaming transfer's progress is written.
    private let progressInterval: Duration

    /// The transfers this instance is taking, and what of their status is still to be written.
    private struct Local {
        var status: TransferStatus
        /// Bumped by every change; `written` catches up as the writer goes.
        var version = 0
        var written = -1
        var writing = false
        var lastWrite: ContinuousClock.Instant?
        var waiters: [(version: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let local = Mutex<[String: Local]>([:])

    /// How often a streaming transfer's status is written even when no bytes arrived.
    static let heartbeat: Duration = .seconds(10)
    /// How long a `streaming` status may go unwritten before it is taken for cut off.
    static let staleAfter: TimeInterval = 60

    init(shared: SharedState, instance: String, logger: Logger, progressInterval: Duration = .seconds(1)) {
        self.shared = shared
        self.instance = instance
        self.logger = logger
        self.progressInterval = progressInterval
    }

    func begin(id: String, linkage: String, provider: String) async {
        let status = TransferStatus(id: id, linkage: linkage, provider: provider, instance: instance)
        local.withLock { $0[id] = Local(status: status) }
        await publish(id, wait: true)
        // Ends with the transfer: `touch` is false once it left the table.
        Task { [weak self] in
            while true {
                try? await Task.sleep(for: Self.heartbeat)
                guard let self, self.touch(id) else { return }
                await self.publish(id, wait: false)
            }
        }
    }

    /// Marks `id`'s status as changed (so it is written again); `false` when it is no longer streaming here.
    private func touch(_ id: String) -> Bool {
        local.withLock { table in
            guard var entry = table[id] else { return false }
            entry.version += 1
            table[id] = entry
            return true
        }
    }

    func update(id: String, progress: BulkProgress) {
        let due = local.withLock { table -> Bool in
            guard var entry = table[id] else { return false }
            entry.status.records = progress.records
            entry.status.invalid = progress.invalid
            entry.status.bytes = progress.bytes
            entry.version += 1
            defer { table[id] = entry }
            return entry.lastWrite.map { ContinuousClock.now - $0 >= progressInterval } ?? true
        }
        if due { Task { await publish(id, wait: false) } }
    }

    /// Marks `id` committed, writes that for every instance and returns the final status.
    func finish(id: String, receipt: ProvideReceipt) async -> TransferStatus? {
        change(id) { status in
            status.state = .committed
            status.accepted = receipt.accepted
            status.quarantined = receipt.quarantined
            status.manifests = (receipt.transfer?.manifests ?? [:]).mapValues(TransferStatus.Manifest.init)
            status.finishedAt = Date()
        }
        await publish(id, wait: true)
        return local.withLock { $0.removeValue(forKey: id)?.status }
    }

    func fail(id: String, code: String) async {
        change(id) { status in
            status.state = .failed
            status.problem = code
            status.finishedAt = Date()
        }
        await publish(id, wait: true)
        local.withLock { $0[id] = nil }
    }

    /// The status of transfer `id`: this instance's own while it takes it, else the cluster's.
    func state(_ id: String, now: Date = Date()) -> TransferStatus? {
        if let mine = local.withLock({ $0[id]?.status }) { return mine }
        guard var status = shared.transfer(id) else { return nil }
        if status.state == .streaming, now.timeIntervalSince(status.updatedAt) > Self.staleAfter {
            status.state = .failed
            status.problem = "interrupted"
            status.finishedAt = status.updatedAt
        }
        return status
    }

    private func change(_ id: String, _ body: (inout TransferStatus) -> Void) {
        local.withLock { table in
            guard var entry = table[id] else { return }
            body(&entry.status)
            entry.version += 1
            table[id] = entry
        }
    }

    /// Writes the newest status of `id` unless a write is under way (which then writes it next); with `wait`,
    /// returns once the status as it is now has been written (or could not be).
    private func publish(_ id: String, wait: Bool) async {
        enum Action {
            case resumeNow
            case startWriter
            case waitForWriter
        }
        guard wait else {
            let start = local.withLock { table -> Bool in
                guard var entry = table[id], !entry.writing, entry.written < entry.version else { return false }
                entry.writing = true
                table[id] = entry
                return true
            }
            if start { await writeLoop(id) }
            return
        }
        await withCheckedContinuation { continuation in
            let action = local.withLock { table -> Action in
                guard var entry = table[id], entry.written < entry.version else { return .resumeNow }
                entry.waiters.append((entry.version, continuation))
                defer {
                    entry.writing = true
                    table[id] = entry
                }
                return entry.writing ? .waitForWriter : .startWriter
            }
            switch action {
            case .resumeNow: continuation.resume()
            case .startWriter: Task { await self.writeLoop(id) }
            case .waitForWriter: break
            }
        }
    }

    /// Writes the newest status of `id` until nothing newer is left; wakes the waiters each write satisfies.
    private func writeLoop(_ id: String) async {
        var written: Int?
        while true {
            let (step, ready) = local.withLock {
                table -> ((TransferStatus, Int)?, [CheckedContinuation<Void, Never>]) in
                guard var entry = table[id] else { return (nil, []) }
                if let written { entry.written = max(entry.written, written) }
                let ready = entry.waiters.filter { $0.version <= entry.written }.map(\.continuation)
                entry.waiters.removeAll { $0.version <= entry.written }
                defer { table[id] = entry }
                guard entry.written < entry.version else {
                    entry.writing = false
                    return (nil, ready)
                }
                entry.lastWrite = .now
                return ((entry.status, entry.version), ready)
            }
            for continuation in ready { continuation.resume() }
            guard let (status, version) = step else { return }
            do {
                try await shared.record(status)
            } catch {
                // The transfer goes on; only other instances' view of it lags until the next write succeeds.
                logger.warning(
                    "transfer status not shared", metadata: ["renkei.transfer": "\(id)", "renkei.error": "\(error)"])
            }
            written = version
        }
    }
}
