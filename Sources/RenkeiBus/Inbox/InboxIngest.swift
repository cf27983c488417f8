import Crypto
import Foundation
import Logging
import RenkeiCodec
import RenkeiContracts
import RenkeiStorage

/// Ingests the CSV files a provider drops into its inbox: `<inbox>/<linkage>/<name>.csv` becomes a bulk transfer of
/// that linkage under its policy, then moves to `<linkage>/done/` or `<linkage>/failed/` with
/// `<name>.result.json` beside it. Files are read in the provider's `inbox-encoding` (UTF-8 unless its contract says
/// CP932 or Shift_JIS).
///
/// A file is identified by its linkage, name and SHA-256: its transfer id is derived from them, and a transfer
/// whose provide entry is in the history is never ingested again — also after a crash between the commit and the
/// move, and after a restart. Files being uploaded into a folder inbox should be written under a name starting with
/// `.` and renamed when complete (hidden names are not listed); S3 uploads appear whole.
final class InboxIngest: DeliveryWorker {
    let bus: Bus
    let provider: String
    let linkages: [String]
    let storage: any ObjectStorage
    private let logger: Logger

    init(bus: Bus, provider: String, linkages: [String], storage: any ObjectStorage) {
        self.bus = bus
        self.provider = provider
        self.linkages = linkages
        self.storage = storage
        self.logger = bus.logger
    }

    var id: DeliveryWorkerID { DeliveryWorkerID(linkage: "*", system: provider, method: .inbox) }

    /// Looks at the inbox every ``BusConfiguration/inboxInterval`` until cancelled.
    func run() async throws {
        while !Task.isCancelled {
            do {
                _ = try await ingestWaiting()
            } catch let error as CancellationError {
                throw error
            } catch {
                logger.error(
                    "inbox not read; trying again",
                    metadata: ["renkei.provider": "\(provider)", "renkei.error": "\(error)"])
            }
            try await Task.sleep(for: bus.configuration.inboxInterval)
        }
    }

    /// Ingests every file waiting in the inbox, oldest name first; returns what became of each.
    func ingestWaiting() async throws -> [InboxResult] {
        var results: [InboxResult] = []
        for linkage in linkages {
            let folder = linkage + "/"
            let claimed = folder + "processing/"
            var waiting: [String] = []
            var leftOver: [String] = []
            for object in try await storage.list(prefix: folder) {
                let file = object.name.split(separator: "/").last.map(String.init) ?? ""
                // Hidden names are files still being uploaded (written as `.name`, renamed when complete).
                guard !file.hasPrefix("."), file.lowercased().hasSuffix(".csv") else { continue }
                if object.name == folder + file {
                    waiting.append(file)
                } else if object.name == claimed + file {
                    leftOver.append(file)
                }
            }
            // A file claimed by a pass that stopped (a crash, a shutdown) is taken up again first; the history says
            // whether its transfer was committed.
            for file in leftOver {
                try Task.checkCancellation()
                results.append(try await ingest(claimed + file, linkage: linkage))
            }
            for file in waiting where !leftOver.contains(file) {
                try Task.checkCancellation()
                // Claimed before it is read: a file of the same name dropped meanwhile waits for the next pass
                // instead of being moved away unread, and hash and ingest read the same bytes.
                try await storage.move(folder + file, to: claimed + file)
                results.append(try await ingest(claimed + file, linkage: linkage))
            }
        }
        return results
    }

    /// One claimed file: hash, check the history, provide, write the result, move to `done/` or `failed/`.
    func ingest(_ name: String, linkage: String) async throws -> InboxResult {
        let sha256 = try await digest(name)
        let base = String(name.split(separator: "/").last ?? Substring(name))
        let transfer = Self.transferID(linkage: linkage, name: base, sha256: sha256)
        var result = InboxResult(
            file: "\(linkage)/\(base)", sha256: sha256, linkage: linkage, provider: provider, outcome: "ingested",
            transfer: transfer,
            records: 0, accepted: 0, quarantined: 0, invalid: 0, message: nil, errors: [], finishedAt: Date())
        guard await bus.history.catchUp(within: bus.configuration.kafka.operationTimeout) else {
            throw InboxError(file: name, reason: "the history index is behind, so a repeat cannot be ruled out yet")
        }
        if let earlier = try await bus.history.index.provide(ofTransfer: transfer) {
            result.outcome = "already-ingested"
            result.records = earlier.recordCount
            result.accepted = earlier.recordCount
            result.message = "The same file (name and SHA-256) was ingested at \(Timestamp.format(earlier.time))."
        } else {
            switch await provide(name, linkage: linkage, transfer: transfer) {
            case .success(let receipt):
                result.records = receipt.accepted + receipt.quarantined
                result.accepted = receipt.accepted
                result.quarantined = receipt.quarantined
            case .failure(let error):
                // A broker that is down or a transfer cut short: the file stays and is tried again.
                if error.isRetriable { throw error }
                result.outcome = "refused"
                result.message = error.message
                result.invalid = error.invalidCount
                let items = bus.route(linkage)?.schema.layout.items ?? []
                result.errors = error.recordErrors.map { error in
                    InboxResult.RowError(
                        row: error.record, line: error.line,
                        item: error.item.flatMap { $0 < items.count ? items[$0].name : nil }, column: error.column,
                        reason: error.reason.rawValue)
                }
            }
        }
        result.finishedAt = Date()
        let folder = result.outcome == "refused" ? "failed" : "done"
        let target = "\(linkage)/\(folder)/\(base)"
        try await storage.put(target + ".result.json", result.encoded(), contentType: "application/json")
        try await storage.move(name, to: target)
        logger.info(
            "inbox file \(result.outcome)",
            metadata: [
                "renkei.provider": "\(provider)", "renkei.linkage": "\(linkage)", "renkei.file": "\(name)",
                "renkei.transfer": "\(transfer)", "renkei.records": "\(result.records)",
            ])
        return result
    }

    private func provide(
        _ name: String, linkage: String, transfer: String
    ) async -> Result<ProvideReceipt, ProvideError> {
        do {
            return .success(
                try await bus.provideBulk(
                    linkage: linkage, provider: provider, format: .csv,
                    encoding: bus.contracts.system(provider)?.endpoints.inboxEncoding ?? .utf8,
                    chunks: storage.read(name, chunkBytes: 1 << 20),
                    transferID: transfer))
        } catch {
            return .failure(error)
        }
    }

    private func digest(_ name: String) async throws -> String {
        var hasher = SHA256()
        for try await chunk in storage.read(name, chunkBytes: 1 << 20) { hasher.update(data: chunk) }
        return HexText.encode(Array(hasher.finalize()))
    }

    /// `inbox-<32 hex>` from the linkage, the file's name and its SHA-256.
    static func transferID(linkage: String, name: String, sha256: String) -> String {
        let digest = SHA256.hash(data: Array("\(linkage)\n\(name)\n\(sha256)".utf8))
        return "inbox-" + HexText.encode(Array(digest)).prefix(32)
    }
}

/// An inbox file that cannot be handled now; it stays where it is and is tried again.
public struct InboxError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var reason: String
    public var description: String { "The inbox file \(file) was left in place: \(reason)." }
}

extension Bus {
    /// The inbox reader of `provider`, for the provide linkages it provides; `nil` when it has no inbox or provides
    /// nothing. Throws when the location cannot be used.
    func inbox(of provider: String) throws -> InboxIngest? {
        guard let url = contracts.system(provider)?.endpoints.inbox else { return nil }
        let linkages = routes.values.filter { $0.linkage.provider == provider }.map(\.linkage.id).sorted()
        guard !linkages.isEmpty else { return nil }
        return InboxIngest(bus: self, provider: provider, linkages: linkages, storage: try storage(url))
    }

    /// Ingests what waits in `provider`'s inbox now (`renkei files ingest`, and tests).
    public func ingestInbox(of provider: String) async throws -> [InboxResult] {
        guard let inbox = try inbox(of: provider) else {
            throw InboxError(file: "-", reason: "the system `\(provider)` has no inbox or provides no linkage")
        }
        return try await inbox.ingestWaiting()
    }
}
