import Foundation
import Logging
import RenkeiBus
import RenkeiContracts
import Synchronization

/// Bulk transfers as every gateway instance of the cluster answers about them: progress while they stream, then
/// their outcome and manifests. The instance that takes an upload writes its status to the bus's ``SharedState``
/// when it starts, at most every `progressInterval` while bytes arrive, every ``TransferStatus/heartbeat`` while
/// none do, and when it ends — and answers the upload once that last status is written (or after
/// ``finishWait``), so `GET /transfers/{id}` answers the same at every instance and after a restart. A status the
/// broker did not take is written again until it is; the records themselves are on the bus, reached through the
/// manifests. A status no instance wrote for ``TransferStatus/staleAfter`` is settled by ``Bus/transferStatus``.
final class TransferRegistry: Sendable {
    private let bus: Bus
    private let logger: Logger
    /// How often a streaming transfer's progress is written.
    private let progressInterval: Duration
    /// How long an upload's answer waits for its final status to be written.
    static let finishWait: Duration = .seconds(15)

    /// A transfer this instance is taking, or has finished and not yet written the outcome of.
    private struct Local {
        var status: TransferStatus
        /// Bumped by every change; `written` catches up as the writer goes.
        var version = 0
        var written = -1
        var writing = false
        var lastWrite: ContinuousClock.Instant?
        /// Committed or failed: the entry goes once that is written.
        var finished = false
    }

    private let local = Mutex<[String: Local]>([:])

    init(bus: Bus, logger: Logger, progressInterval: Duration = .seconds(1)) {
        self.bus = bus
        self.logger = logger
        self.progressInterval = progressInterval
    }

    func begin(id: String, linkage: String, provider: String) {
        let status = TransferStatus(
            id: id, linkage: linkage, provider: provider, instance: bus.configuration.instance)
        local.withLock { $0[id] = Local(status: status) }
        startWriting(id)
        // Ends with the transfer: `touch` is false once it is finished here.
        Task { [weak self] in
            while true {
                try? await Task.sleep(for: TransferStatus.heartbeat)
                guard let self, self.touch(id) else { return }
                self.startWriting(id)
            }
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
        if due { startWriting(id) }
    }

    /// Marks `id` committed, writes that for every instance and returns the final status.
    func finish(id: String, receipt: ProvideReceipt) async -> TransferStatus? {
        await end(id) { status in
            status.state = .committed
            status.accepted = receipt.accepted
            status.quarantined = receipt.quarantined
            status.manifests = (receipt.transfer?.manifests ?? [:]).mapValues(TransferStatus.Manifest.init)
        }
    }

    /// Marks `id` failed with problem `code` and writes that for every instance.
    @discardableResult
    func fail(id: String, code: String) async -> TransferStatus? {
        await end(id) { status in
            status.state = .failed
            status.problem = code
        }
    }

    /// The status of transfer `id`: this instance's own while it takes it, else the cluster's.
    func state(_ id: String, now: Date = Date()) async -> TransferStatus? {
        if let mine = local.withLock({ $0[id]?.status }) { return mine }
        return await bus.transferStatus(id, now: now)
    }

    private func end(_ id: String, _ body: (inout TransferStatus) -> Void) async -> TransferStatus? {
        let (version, status) = local.withLock { table -> (Int, TransferStatus?) in
            guard var entry = table[id] else { return (0, nil) }
            body(&entry.status)
            entry.status.finishedAt = Date()
            entry.finished = true
            entry.version += 1
            table[id] = entry
            return (entry.version, entry.status)
        }
        startWriting(id)
        // The answer waits for the write (bounded: a broker that is down must not hold the provider's answer).
        let deadline = ContinuousClock.now + Self.finishWait
        while ContinuousClock.now < deadline, local.withLock({ ($0[id]?.written ?? .max) < version }) {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return status
    }

    /// Marks `id`'s status as changed (so it is written again); `false` once it is finished here.
    private func touch(_ id: String) -> Bool {
        local.withLock { table in
            guard var entry = table[id], !entry.finished else { return false }
            entry.version += 1
            table[id] = entry
            return true
        }
    }

    /// Starts the writer of `id` unless it runs (it then writes the newest status next).
    private func startWriting(_ id: String) {
        let start = local.withLock { table -> Bool in
            guard var entry = table[id], !entry.writing, entry.written < entry.version else { return false }
            entry.writing = true
            table[id] = entry
            return true
        }
        if start { Task { await self.writeLoop(id) } }
    }

    /// Writes the newest status of `id` until nothing newer is left, trying again while the broker refuses; lets the
    /// entry go once its final status is written.
    private func writeLoop(_ id: String) async {
        var written: Int?
        while true {
            let next = local.withLock { table -> (TransferStatus, Int)? in
                guard var entry = table[id] else { return nil }
                if let written { entry.written = max(entry.written, written) }
                guard entry.written < entry.version else {
                    entry.writing = false
                    table[id] = entry.finished ? nil : entry
                    return nil
                }
                entry.lastWrite = .now
                table[id] = entry
                return (entry.status, entry.version)
            }
            guard let (status, version) = next else { return }
            do {
                try await bus.shared.record(status)
                written = version
            } catch {
                // Only other instances' view lags meanwhile; this instance answers from its own entry.
                logger.warning(
                    "transfer status not shared; trying again",
                    metadata: ["renkei.transfer": "\(id)", "renkei.error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
