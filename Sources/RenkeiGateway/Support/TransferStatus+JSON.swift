import RenkeiBus
import RenkeiContracts

extension TransferStatus {
    /// The body of `GET /transfers/{id}` and of the upload's answer (docs/openapi.yaml, `Transfer`).
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(id)), ("linkage", .string(linkage)), ("status", .string(state.rawValue)),
            (
                "progress",
                .object([("records", .integer(records)), ("invalid", .integer(invalid)), ("bytes", .integer(bytes))])
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
                                ("chunks", .integer(manifest.chunks)), ("layout", .string(manifest.layout)),
                                ("contentType", .string(manifest.contentType)),
                            ])
                        )
                    })
            ))
        return .object(members)
    }
}
