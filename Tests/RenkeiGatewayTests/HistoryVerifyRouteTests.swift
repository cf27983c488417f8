import Foundation
import RenkeiBus
import RenkeiTestSupport
import Testing

@Suite(.serialized, .timeLimit(.minutes(2))) struct HistoryVerifyRouteTests {
    /// The report counts problems and carries a checkpoint the command line can continue from.
    @Test func verifyReportsAProblemCountAndACheckpoint() async throws {
        try await GatewayHarness.with { harness in
            let provider = try await harness.token("sys-001")
            let record = Residents.json(harness.bus.contracts, count: 1)[0]
            let provided = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                body: record)
            #expect(provided.status == 201)

            let ops = try await harness.token("ops")
            let reply = try await harness.call(.GET, "/operations/history/verify", token: ops)
            #expect(reply.status == 200)
            #expect(reply.json["intact"] as? Bool == true)
            #expect(reply.json["problemCount"] as? Int == 0)
            let entries = try #require(reply.json["entries"] as? Int)
            #expect(entries >= 1)
            let object = try #require(reply.json["checkpoint"] as? [String: Any])
            let checkpoint = try HistoryCheckpoint(decoding: JSONSerialization.data(withJSONObject: object))
            #expect(checkpoint.offset >= Int64(entries))
            #expect(checkpoint.chains.count == 1)
            #expect(checkpoint.chains.values.first?.sequence == entries)
        }
    }
}
