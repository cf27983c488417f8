import Foundation
import RenkeiBus
import RenkeiTestSupport
import Testing

/// A file receiver over the REST edge: its token carries `<provider>:<linkage>:files`; it lists its files'
/// manifests and asks for a file now. The serve-time file worker writes the missed daily window at start.
@Suite(.serialized) struct FileRouteTests {
    @Test func aFileReceiverListsItsFilesAndAsksForOneNow() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-gw-files-\(UUID())").path
        try await GatewayHarness.with(dataDirectory: data) { harness in
            let contracts = harness.bus.contracts
            let provider = try await harness.token("sys-001")
            let provided = try await harness.call(
                .POST, "/linkages/resident-register-daily/records", token: provider, contentType: "application/json",
                body: Residents.array(Residents.json(contracts, count: 6)))
            #expect(provided.status == 201, "\(provided.text)")

            let receiver = try await harness.token("sys-008")
            let written = try await harness.call(.POST, "/linkages/resident-register-daily/files", token: receiver)
            #expect(written.status == 201, "\(written.text)")
            #expect(written.json["records"] as? Int == 6)
            let file = try #require(written.json["file"] as? String)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: data + "/outbox/008/" + file))
            #expect(written.json["bytes"] as? Int == bytes.count)

            let listed = try await harness.call(
                .GET, "/linkages/resident-register-daily/files?limit=5", token: receiver)
            #expect(listed.status == 200)
            let files = try #require(listed.json["files"] as? [[String: Any]])
            // Newest first: the file just asked for, then (when the worker got there first) the missed window.
            #expect(files.first?["file"] as? String == file)
            #expect(files.allSatisfy { $0["receiver"] as? String == "008" })

            // A pull receiver of the same linkage has no file scope.
            let other = try await harness.call(
                .GET, "/linkages/resident-register-daily/files", token: try await harness.token("sys-c001"))
            #expect(other.status == 403)
        }
    }
}
