import Foundation
import RenkeiTestSupport
import Testing

/// `GET /operations/history` pages by key with `next`, and refuses a cursor or limit it did not give.
@Suite(.serialized, .timeLimit(.minutes(3))) struct HistoryPageTests {
    @Test func historyByKeyPagesWithNextAndRejectsBadParameters() async throws {
        try await GatewayHarness.with { harness in
            let provider = try await harness.token("sys-001")
            let key = "123456789012345"
            for seed in [3, 4] as [UInt64] {
                let records = Residents.json(harness.bus.contracts, count: 2, seed: seed, sameKey: key)
                let provided = try await harness.call(
                    .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                    body: Residents.array(records))
                #expect(provided.status == 201)
            }
            let ops = try await harness.token("ops")

            var entries: [[String: Any]] = []
            var cursor: String?
            var pages = 0
            repeat {
                let path = "/operations/history?key=\(key)&limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let reply = try await harness.call(.GET, path, token: ops)
                #expect(reply.status == 200, "\(reply.text)")
                let page = reply.json
                let items = page["entries"] as? [[String: Any]] ?? []
                #expect(items.count <= 2)
                #expect(page["behind"] as? Int == 0)
                #expect((page["indexedThrough"] as? Int ?? 0) > 0)
                entries += items
                cursor = page["next"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 4, "8 entries by 2, the last page without next")
            #expect(entries.count == 8)
            let offsets = entries.compactMap { $0["offset"] as? Int }
            #expect(offsets == offsets.sorted(by: >), "newest first")
            #expect(Set(offsets).count == 8)
            #expect(Set(entries.compactMap { $0["receiver"] as? String }) == ["018", "017", "002", "C001"])
            #expect(entries.allSatisfy { $0["foundInKeyList"] as? Bool == false && $0["hash"] is String })

            for bad in ["cursor=not-a-cursor!", "cursor=", "limit=0", "limit=1001", "limit=two"] {
                let reply = try await harness.call(.GET, "/operations/history?key=\(key)&\(bad)", token: ops)
                #expect(reply.status == 400, "\(bad)")
                #expect(reply.headers.first(name: "Content-Type") == "application/problem+json")
                #expect(reply.json["type"] as? String == "urn:renkei:problem:invalid-parameter", "\(bad)")
                #expect(
                    (reply.json["detail"] as? String)?.contains(bad.hasPrefix("cursor") ? "cursor" : "limit") == true)
            }
        }
    }
}
