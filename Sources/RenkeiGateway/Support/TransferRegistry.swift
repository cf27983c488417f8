import Foundation
import RenkeiBus
import RenkeiContracts
import Synchronization

/// Bulk transfers this instance received: progress while they stream, then their outcome and manifests. Kept in
/// memory (the last `capacity`); the records themselves are on the bus, reached through the manifests.
final class TransferRegistry: Sendable {
    struct State: Sendable {
        var id: String
        var linkage: String
        /// The client that sent it.
        var provider: String
        /// `streaming`, `committed` or `failed`.
        var status: String
        var records = 0
        var invalid = 0
        var bytes = 0
        var accepted = 0
        var quarantined = 0
        var startedAt = Date()
        var finishedAt: Date?
        var problem: String?
        var manifests: [String: TransferManifest] = [:]

        var json: JSONValue {
            var members: [(String, JSONValue)] = [
                ("id", .string(id)), ("linkage", .string(linkage)), ("status", .string(status)),
                (
                    "progress",
                    .object([
                        ("records", .integer(records)), ("invalid", .integer(invalid)), ("bytes", .integer(bytes)),
                    ])
                ),
                ("accepted", .integer(accepted)), ("quarantined", .integer(quarantined)),
                ("startedAt", .string(Timestamp.format(startedAt))),
            ]
            if let finishedAt { members.append(("finishedAt", .string(Timestamp.format(finishedAt)))) }
            if let problem { members.append(("problem", .string(problem))) }
            members.append(
                (
                    "manifests",
                    .object(
                        manifests.sorted { $0.key < $1.key }.map { receiver, manifest in
                            (
                                receiver,
                                .object([
                                    ("records", .integer(manifest.records)),
                                    ("chunkListSHA256", .string(manifest.chunkListSHA256)),
                                    ("chunks", .integer(manifest.chunks.count)), ("layout", .string(manifest.layout)),
                                    ("contentType", .string(manifest.contentType)),
                                ])
                            )
                        })
                ))
            return .object(members)
        }
    }

    private let capacity = 1000
    private let states = Mutex<(byID: [String: State], order: [String])>(([:], []))

    func begin(id: String, linkage: String, provider: String) {
        states.withLock { table in
            table.byID[id] = State(id: id, linkage: linkage, provider: provider, status: "streaming")
            table.order.append(id)
            if table.order.count > capacity { table.byID[table.order.removeFirst()] = nil }
        }
    }

    func update(id: String, progress: BulkProgress) {
        states.withLock { table in
            table.byID[id]?.records = progress.records
            table.byID[id]?.invalid = progress.invalid
            table.byID[id]?.bytes = progress.bytes
        }
    }

    func finish(id: String, receipt: ProvideReceipt) {
        states.withLock { table in
            table.byID[id]?.status = "committed"
            table.byID[id]?.accepted = receipt.accepted
            table.byID[id]?.quarantined = receipt.quarantined
            table.byID[id]?.manifests = receipt.transfer?.manifests ?? [:]
            table.byID[id]?.finishedAt = Date()
        }
    }

    func fail(id: String, code: String) {
        states.withLock { table in
            table.byID[id]?.status = "failed"
            table.byID[id]?.problem = code
            table.byID[id]?.finishedAt = Date()
        }
    }

    func state(_ id: String) -> State? { states.withLock { $0.byID[id] } }
}
