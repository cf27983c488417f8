import Foundation
import RenkeiBus
import RenkeiContracts
import RenkeiTestSupport
import Synchronization
import Testing

@Suite(.serialized) struct PushAndQueryTests {
    @Test func webhookFailingTwiceGetsEveryRecordOnceInOrder() async throws {
        let failures = Atomic<Int>(0)
        let webhook = try await TestServer.start(path: "/events") { _, _ in
            failures.add(1, ordering: .relaxed).newValue <= 2 ? (503, []) : (204, [])
        }
        try await GatewayHarness.with(webhook: webhook.url) { harness in
            let provider = try await harness.token("sys-001")
            let records = Residents.json(harness.bus.contracts, count: 3, sameKey: "123456789012345")
            let provided = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                body: Residents.array(records))
            #expect(provided.status == 201)
            let eventIDs = provided.json["eventIDs"] as? [String] ?? []
            let delivered = try await eventually {
                webhook.requests.filter { $0.headers["ce-id"] != nil }.count >= 5
            }
            #expect(delivered)
            try await Task.sleep(for: .milliseconds(300))
            let requests = webhook.requests
            #expect(requests.count == 5)
            // The first two attempts failed; each record was then taken once, in the order provided.
            let taken = requests.dropFirst(2).compactMap { $0.headers["ce-id"] }
            #expect(taken == eventIDs)
            #expect(requests.first?.headers["ce-specversion"] == "1.0")
            #expect(requests.first?.headers["ce-subject"] == "123456789012345")
            #expect(requests.first?.headers["ce-renkeireceiver"] == "017")
            // Header values are printable ASCII: the purpose travels percent-encoded (CloudEvents HTTP binding).
            let purpose = try #require(requests.first?.headers["ce-renkeipurpose"])
            #expect(purpose.hasPrefix("%E4%BB%8B%E8%AD%B7"))
            #expect(CloudEventsHTTPValue.decode(purpose) == "介護保険の資格管理")
            // Every attempt is signed for 017, and the webhook id is the event id, the same on each retry.
            #expect(requests.allSatisfy { SignatureCheck.isValid($0.headers, body: $0.body, system: "017") })
            #expect(requests.allSatisfy { $0.headers["webhook-id"] == $0.headers["ce-id"] })
            #expect(!SignatureCheck.isValid(requests[2].headers, body: requests[2].body + [0x20], system: "017"))
            #expect(!SignatureCheck.isValid(requests[2].headers, body: requests[2].body, system: "018"))
            let body = try #require(try JSONSerialization.jsonObject(with: Data(requests[2].body)) as? [String: Any])
            #expect(body["atena_number"] as? String == "123456789012345")

            let ops = try await harness.token("ops")
            let history = try await harness.call(.GET, "/operations/history?kind=delivery&system=017", token: ops)
            #expect((history.json["entries"] as? [Any])?.count == 3)
        }
        await webhook.stop()
    }

    @Test func webhookAlwaysFailingDeadLettersAfterTheConfiguredAttempts() async throws {
        let webhook = try await TestServer.start(path: "/events") { _, _ in (500, []) }
        try await GatewayHarness.with(webhook: webhook.url) { harness in
            let provider = try await harness.token("sys-001")
            let record = Residents.json(harness.bus.contracts, count: 1)[0]
            #expect(
                try await harness.call(
                    .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                    body: record
                ).status == 201)
            let ops = try await harness.token("ops")
            var letters: [[String: Any]] = []
            let arrived = try await eventually {
                let reply = try await harness.call(.GET, "/operations/dead-letters?receiver=017", token: ops)
                letters = reply.json["deadLetters"] as? [[String: Any]] ?? []
                return !letters.isEmpty
            }
            #expect(arrived)
            #expect(webhook.requests.count == 3)
            let letter = try #require(letters.first)
            #expect(letter["attempts"] as? Int == 3)
            #expect(letter["reasons"] as? [String] == ["webhook-gave-up"])
            #expect(letter["value"] == nil)
            let reference = try #require(letter["reference"] as? String)
            let shown = try await harness.call(.GET, "/operations/dead-letters/\(reference)", token: ops)
            #expect(shown.status == 200)
            #expect(shown.json["masked"] as? Bool == true)
            let name = try #require(
                (try JSONSerialization.jsonObject(with: Data(record)) as? [String: Any])?["name"] as? String)
            let maskedValue = try #require(shown.json["value"] as? String)
            #expect(maskedValue.contains(#""name":"***""#))
            #expect(!maskedValue.contains(name))
            // Only an operator of the mynumber zone is granted the scope that unmasks, and then sees the values.
            // It works masked unless it asks for the scope.
            let byDefault = try await harness.tokenRequest("ops-mynumber")
            #expect((byDefault.json["scope"] as? String)?.contains("030:dead-letters:read-personal") == false)
            let custodian = try await harness.tokenRequest(
                "ops-mynumber", scope: "030:dead-letters:read 030:dead-letters:read-personal")
            #expect(custodian.json["scope"] as? String == "030:dead-letters:read 030:dead-letters:read-personal")
            let denied = try await harness.tokenRequest("ops", scope: "030:dead-letters:read-personal")
            #expect(denied.status == 400)
            let unmasked = try await harness.call(
                .GET, "/operations/dead-letters/\(reference)",
                token: try #require(custodian.json["access_token"] as? String))
            #expect(unmasked.json["masked"] as? Bool == false)
            #expect((unmasked.json["value"] as? String)?.contains(name) == true)
            let reads = try await harness.call(.GET, "/operations/history?kind=dead-letter-read", token: ops)
            let readEntries = reads.json["entries"] as? [[String: Any]] ?? []
            #expect(
                Set(readEntries.map { "\($0["operator"] ?? "") \($0["outcome"] ?? "")" }) == [
                    "ops masked", "ops-mynumber unmasked",
                ])
            #expect(readEntries.allSatisfy { $0["deadLetter"] as? String == reference })
            #expect(!reads.text.contains(name))
            let metrics = try await harness.call(.GET, "/metrics")
            #expect(
                metrics.text.contains(
                    #"renkei_push_attempts_total{linkage="resident-change",outcome="failed",receiver="017"} 3"#)
                    || metrics.text.contains(
                        #"renkei_push_attempts_total{linkage="resident-change",receiver="017",outcome="failed"} 3"#)
            )
            #expect(metrics.text.contains("renkei_dead_letters{topic=\"renkei.dlq.resident-change.017\"} 1.0"))
            // The replay goes back to the always-failing webhook, so it comes after the metrics are checked.
            let dryRun = try await harness.call(.POST, "/operations/dead-letters/\(reference)/replay", token: ops)
            #expect(dryRun.status == 200)
            #expect(dryRun.json["performed"] as? Bool == false)
            #expect(dryRun.json["receivers"] as? [String] == ["017"])
            let replay = try await harness.call(
                .POST, "/operations/dead-letters/\(reference)/replay?execute=true", token: ops)
            #expect(replay.status == 200)
            #expect(replay.json["performed"] as? Bool == true)
            let replays = try await harness.call(.GET, "/operations/history?kind=replay", token: ops)
            #expect((replays.json["entries"] as? [[String: Any]])?.first?["operator"] as? String == "ops")
            let again = try await harness.call(
                .POST, "/operations/dead-letters/\(reference)/replay?execute=true", token: ops)
            #expect(again.status == 409)
            let system = try await harness.token("sys-001")
            let refused = try await harness.call(
                .POST, "/operations/dead-letters/\(reference)/replay?execute=true", token: system)
            #expect(refused.status == 403)

        }
        await webhook.stop()
    }

    @Test func queryIsAnsweredWithTheAskersItemsOnly() async throws {
        let contracts = try GatewayHarness.contracts(webhook: nil, queryEndpoint: nil)
        let stored = Residents.json(contracts, count: 1, sameKey: "000000000000042")[0]
        let provider = try await TestServer.start(path: "/query") { _, body in
            let question = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
            return question?["key"] as? String == "000000000000042"
                ? (200, [0x5B] + stored + [0x5D]) : (200, Array("[]".utf8))
        }
        try await GatewayHarness.with(queryEndpoint: provider.url) { harness in
            let asker = try await harness.token("sys-c001")
            let reply = try await harness.call(
                .POST, "/linkages/resident-query/query", token: asker, contentType: "application/json",
                body: Array(#"{"key": "000000000000042"}"#.utf8))
            #expect(reply.status == 200, "\(reply.text)")
            let records = reply.json["records"] as? [[String: Any]] ?? []
            #expect(records.count == 1)
            let allowed = Set(
                try #require(contracts.linkage("resident-query")).receivers.first { $0.system == "C001" }!.items)
            #expect(Set(records.first?.keys.map { $0 } ?? []) == allowed)

            let none = try await harness.call(
                .POST, "/linkages/resident-query/query", token: asker, contentType: "application/json",
                body: Array(#"{"key": "000000000000043"}"#.utf8))
            #expect((none.json["records"] as? [Any])?.isEmpty == true)
            // The provider 001 can tell each question came from the bus.
            let questions = provider.requests
            #expect(questions.count == 2)
            #expect(questions.allSatisfy { SignatureCheck.isValid($0.headers, body: $0.body, system: "001") })
            #expect(questions.allSatisfy { $0.headers["webhook-id"] == $0.headers["ce-id"] })

            let hidden = try await harness.call(
                .POST, "/linkages/resident-query/query", token: asker, contentType: "application/json",
                body: Array(#"{"conditions": {"氏名": "x"}}"#.utf8))
            #expect(hidden.status == 400)
            let notAsker = try await harness.token("sys-018")
            #expect(
                try await harness.call(
                    .POST, "/linkages/resident-query/query", token: notAsker, contentType: "application/json",
                    body: Array(#"{"key": "1"}"#.utf8)
                ).status == 403)
        }
        await provider.stop()
    }

    @Test func queryWithoutAnswerTimesOutAndIsRecorded() async throws {
        let provider = try await TestServer.start(path: "/query") { _, _ in
            try? await Task.sleep(for: .seconds(4))
            return (200, Array("[]".utf8))
        }
        try await GatewayHarness.with(queryEndpoint: provider.url, configure: { $0.queryTimeout = .seconds(1) }) {
            harness in
            let asker = try await harness.token("sys-017")
            let reply = try await harness.call(
                .POST, "/linkages/resident-query/query", token: asker, contentType: "application/json",
                body: Array(#"{"key": "000000000000042"}"#.utf8))
            #expect(reply.status == 504)
            #expect(reply.json["code"] as? String == "timeout")
            let ops = try await harness.token("ops")
            let recorded = try await eventually(within: 10) {
                let history = try await harness.call(.GET, "/operations/history?kind=query", token: ops)
                let entries = history.json["entries"] as? [[String: Any]] ?? []
                return entries.contains { $0["outcome"] as? String == "timeout" && $0["receiver"] as? String == "017" }
            }
            #expect(recorded)
        }
        await provider.stop()
    }
}
