import Foundation
import RenkeiBus
import RenkeiContracts
import RenkeiTestSupport
import Testing

/// `Renkei-Request-Purpose`: sent with a provide, it reaches the push receiver as `ce-renkeirequestpurpose` and every
/// history entry the provide causes; a purpose that cannot be used is refused with 400 before anything is written.
@Suite(.serialized) struct RequestPurposeRouteTests {
    static let purpose = "転入届 受付番号2026-0412"
    static let encoded = "%E8%BB%A2%E5%85%A5%E5%B1%8A%20%E5%8F%97%E4%BB%98%E7%95%AA%E5%8F%B72026-0412"

    @Test func purposeTravelsFromProvideToTheWebhookAndTheResidentsHistory() async throws {
        let webhook = try await TestServer.start(path: "/events") { _, _ in (204, []) }
        try await GatewayHarness.with(webhook: webhook.url) { harness in
            let version = try #require(harness.bus.contractVersion(of: "resident-change"))
            let provider = try await harness.token("sys-001")
            let key = "123456789012345"
            let record = Residents.json(harness.bus.contracts, count: 1, sameKey: key)[0]
            let provided = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                body: record, headers: [("Renkei-Request-Purpose", Self.encoded)])
            #expect(provided.status == 201, "\(provided.text)")

            let pushed = try await eventually { !webhook.requests.isEmpty }
            #expect(pushed)
            let headers = try #require(webhook.requests.first?.headers)
            #expect(headers["ce-renkeirequestpurpose"] == Self.encoded)
            #expect(headers["ce-renkeicontract"] == version)
            // The contract's purpose of use for 017 is unchanged beside it.
            #expect(headers["ce-renkeipurpose"].flatMap(CloudEventsHTTPValue.decode) == "介護保険の資格管理")

            let ops = try await harness.token("ops")
            let delivered = try await eventually {
                let reply = try await harness.call(.GET, "/operations/history?kind=delivery&system=017", token: ops)
                return (reply.json["entries"] as? [[String: Any]])?.isEmpty == false
            }
            #expect(delivered)
            let report = try await ResidentReport.make(
                key: key, indexer: harness.bus.history, contracts: harness.bus.contracts)
            #expect(report.lines.map(\.kind) == [.provide, .provide, .provide, .provide, .delivery])
            #expect(report.lines.allSatisfy { $0.requestPurpose == Self.purpose })
            #expect(report.lines.allSatisfy { $0.contractVersion == version })
            let history = try await harness.call(.GET, "/operations/history?linkage=resident-change", token: ops)
            let entries = history.json["entries"] as? [[String: Any]] ?? []
            #expect(entries.count == 5)
            #expect(entries.allSatisfy { $0["requestPurpose"] as? String == Self.purpose })
            #expect(entries.allSatisfy { $0["contractVersion"] as? String == version })

            // A pull receiver's feed shows both too.
            let receiver = try await harness.token("sys-018")
            let feed = try await harness.readFeed("resident-change", token: receiver)
            #expect(feed.records.first?["requestPurpose"] as? String == Self.purpose)
            #expect(feed.records.first?["contractVersion"] as? String == version)
        }
        await webhook.stop()
    }

    @Test(arguments: [
        (String(repeating: "%E8%BB%A2", count: 86), "too-long", "has 258 bytes of UTF-8; at most 256 are allowed."),
        ("%E8%BB%A2%0A%E5%85%A5", "control-character", "holds a control character (U+000A) at character 2"),
        ("%E8%BB", "malformed-escape", "is not percent-encoded UTF-8"),
        ("", "empty", "is empty"),
    ])
    func anUnusablePurposeIsRefusedAndNothingIsWritten(value: String, code: String, reason: String) async throws {
        try await GatewayHarness.with { harness in
            let provider = try await harness.token("sys-001")
            let record = Residents.json(harness.bus.contracts, count: 1)[0]
            let refusals = [
                try await harness.call(
                    .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                    body: record, headers: [("Renkei-Request-Purpose", value)]),
                try await harness.call(
                    .POST, "/linkages/resident-register-daily/transfers", token: provider, contentType: "text/csv",
                    body: Array("宛名番号\n1\n".utf8), headers: [("Renkei-Request-Purpose", value)]),
                try await harness.call(
                    .POST, "/linkages/resident-query/query", token: try await harness.token("sys-c001"),
                    contentType: "application/json", body: Array(#"{"key": "1"}"#.utf8),
                    headers: [("Renkei-Request-Purpose", value)]),
            ]
            for refusal in refusals {
                #expect(refusal.status == 400)
                #expect(refusal.json["code"] as? String == "invalid-purpose")
                #expect(refusal.json["header"] as? String == "Renkei-Request-Purpose")
                #expect(refusal.json["reason"] as? String == code)
                let detail = refusal.json["detail"] as? String ?? ""
                #expect(detail.hasPrefix("The header `Renkei-Request-Purpose` "), "\(detail)")
                #expect(detail.contains(reason), "\(detail)")
            }
            // Sent twice, even with a usable value, it is refused too: which one would count is not for the bus to guess.
            let twice = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                body: record, headers: [("Renkei-Request-Purpose", Self.encoded), ("Renkei-Request-Purpose", value)])
            #expect(twice.status == 400)
            #expect((twice.json["detail"] as? String)?.contains("more than once") == true)
            let ops = try await harness.token("ops")
            try await harness.bus.history.sync()
            let history = try await harness.call(.GET, "/operations/history", token: ops)
            #expect((history.json["entries"] as? [Any])?.isEmpty == true, "\(history.text)")
            let receiver = try await harness.token("sys-018")
            #expect(try await harness.readFeed("resident-change", token: receiver).records.isEmpty)
        }
    }
}
