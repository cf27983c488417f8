import Foundation
import Logging
import RenkeiBus
import RenkeiContracts
import RenkeiKafka
import RenkeiTestSupport
import Testing

@Suite(.serialized) struct ProvideAndFeedTests {
    @Test func pullFeedReturnsExactlyTheReceiversItemsAndCursorsResumeWithoutLossOrRepeats() async throws {
        try await GatewayHarness.with { harness in
            let contracts = harness.bus.contracts
            let provider = try await harness.token("sys-001")
            let records = Residents.json(contracts, count: 7)
            let provided = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                body: Residents.array(records))
            #expect(provided.status == 201, "\(provided.text)")
            #expect(provided.json["accepted"] as? Int == 7)
            let eventIDs = provided.json["eventIDs"] as? [String] ?? []

            let receiver = try await harness.token("sys-c001")
            let first = try await harness.readFeed("resident-change", token: receiver, limit: 3)
            #expect(first.records.count == 7)
            #expect(Set(first.records.compactMap { $0["id"] as? String }) == Set(eventIDs))
            let allowed = Set(
                try #require(contracts.linkage("resident-change")).receivers.first { $0.system == "C001" }!.items)
            for record in first.records {
                let data = try #require(record["data"] as? [String: Any])
                #expect(Set(data.keys).isSubset(of: allowed))
                #expect(data["my_number"] == nil)
            }

            let more = Residents.json(contracts, count: 2, seed: 99)
            #expect(
                try await harness.call(
                    .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                    body: more[0]
                ).status == 201)
            #expect(
                try await harness.call(
                    .POST, "/linkages/resident-change/records", token: provider, contentType: "application/jsonl",
                    body: more[1] + [0x0A]
                ).status == 201)
            let resumed = try await harness.readFeed("resident-change", token: receiver, from: first.cursor)
            #expect(resumed.records.count == 2)
            #expect(Set(resumed.records.compactMap { $0["id"] as? String }).isDisjoint(with: Set(eventIDs)))
            let again = try await harness.readFeed("resident-change", token: receiver, from: resumed.cursor)
            #expect(again.records.isEmpty)

            let bad = try await harness.call(.GET, "/linkages/resident-change/feed?cursor=%21%21", token: receiver)
            #expect(bad.status == 400)
        }
    }

    /// Found by the feed-cursor fuzzer's invariant: this cursor overflowed the count of offsets lost to retention
    /// and stopped the server; a cursor with a negative offset is now refused like any other invalid one.
    @Test func aCursorWithANegativeOffsetIsABadRequest() async throws {
        try await GatewayHarness.with { harness in
            let provider = try await harness.token("sys-001")
            let body = Residents.json(harness.bus.contracts, count: 1)[0]
            #expect(
                try await harness.call(
                    .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                    body: body
                ).status == 201)
            let receiver = try await harness.token("sys-c001")
            let cursor = Data(#"{"offsets":[0,-9223372036854775808,1,-9223372036854775808]}"#.utf8)
                .base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let reply = try await harness.call(
                .GET, "/linkages/resident-change/feed?cursor=\(cursor)", token: receiver)
            #expect(reply.status == 400)
            #expect(reply.text.contains("invalid-cursor"))
            #expect(try await harness.readFeed("resident-change", token: receiver).records.count == 1)
        }
    }

    @Test func longPollWaitsForRecords() async throws {
        try await GatewayHarness.with { harness in
            let receiver = try await harness.token("sys-018")
            let provider = try await harness.token("sys-001")
            let body = Residents.json(harness.bus.contracts, count: 1)[0]
            async let polled = harness.call(.GET, "/linkages/resident-change/feed?wait=10", token: receiver)
            try await Task.sleep(for: .milliseconds(700))
            _ = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json", body: body
            )
            let reply = try await polled
            #expect(reply.status == 200)
            #expect((reply.json["records"] as? [Any])?.count == 1)
        }
    }

    @Test func expiredCursorIsGoneWithTheLostOffsets() async throws {
        try await GatewayHarness.with { harness in
            let receiver = try await harness.token("sys-018")
            // A cursor at offset 0 of a partition whose oldest retained offset is later: the embedded cluster keeps
            // about 5 MiB per partition, so 7 MiB more drops the oldest records, as retention would.
            let topic = "renkei.out.resident-change.018"
            let producer = try await KafkaProducer.make(
                configuration: harness.bus.configuration.kafka, logger: Logger(label: "test"))
            let filler = [UInt8](repeating: 0x20, count: 100 * 1024)
            try await producer.send(
                Array(repeating: KafkaOutgoingMessage(topic: topic, partition: 1, key: nil, value: filler), count: 70)
            ).throwIfAnyFailed()
            await producer.shutdown()
            let cursor = FeedCursor(offsets: [0: 0, 1: 0, 2: 0, 3: 0]).token
            let reply = try await harness.call(.GET, "/linkages/resident-change/feed?cursor=\(cursor)", token: receiver)
            #expect(reply.status == 410)
            #expect(reply.json["code"] as? String == "cursor-expired")
            let lost = try #require(reply.json["lost"] as? [[String: Any]])
            #expect(lost.count == 1)
            #expect(lost.first?["partition"] as? Int == 1)
            #expect((lost.first?["retainedFrom"] as? Int ?? 0) > 0)
            let restart = try #require(reply.json["restart"] as? String)
            let resumed = try await harness.call(
                .GET, "/linkages/resident-change/feed?cursor=\(restart)", token: receiver)
            #expect(resumed.status == 200)
        }
    }

    @Test func badSubmissionsGetProblemDetailsAndNothingIsApplied() async throws {
        try await GatewayHarness.with(configure: { $0.maxBodyBytes = 64 * 1024 }) { harness in
            let provider = try await harness.token("sys-001")
            let contracts = harness.bus.contracts
            let malformed = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                body: Array(#"{"atena_number": "1", "#.utf8))
            #expect((400..<500).contains(malformed.status))
            #expect(malformed.headers.first(name: "Content-Type") == "application/problem+json")

            var records = Residents.json(contracts, count: 3)
            var object = try #require(try JSONSerialization.jsonObject(with: Data(records[1])) as? [String: Any])
            object["sex"] = "7"
            records[1] = Array(try JSONSerialization.data(withJSONObject: object))
            let invalid = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                body: Residents.array(records))
            #expect(invalid.status == 422)
            let errors = invalid.json["errors"] as? [[String: Any]] ?? []
            #expect(errors.count == 1)
            #expect(errors.first?["row"] as? Int == 2)
            #expect(errors.first?["item"] as? String == "sex")
            #expect(errors.first?["reason"] != nil)
            #expect(!invalid.text.contains("\"7\""))

            let wrongType = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "text/plain",
                body: records[0])
            #expect(wrongType.status == 415)

            let csv = Array("宛名番号,氏名\n1,\"unterminated\n".utf8)
            let badCSV = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "text/csv", body: csv)
            #expect((400..<500).contains(badCSV.status))

            let big = Residents.array(Residents.json(contracts, count: 400))
            let oversized = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                body: big)
            #expect(oversized.status == 413)

            let receiver = try await harness.token("sys-018")
            #expect(try await harness.readFeed("resident-change", token: receiver).records.isEmpty)
        }
    }

    @Test func bulkTransferStreamsAndReportsProgressCountsAndManifests() async throws {
        try await GatewayHarness.with { harness in
            let provider = try await harness.token("sys-001")
            let csv = Residents.csv(harness.bus.contracts, count: 2000)
            let reply = try await harness.call(
                .POST, "/linkages/resident-change/transfers", token: provider, contentType: "text/csv", body: csv)
            #expect(reply.status == 201, "\(reply.text)")
            #expect(reply.json["status"] as? String == "committed")
            #expect(reply.json["accepted"] as? Int == 2000)
            let id = try #require(reply.json["id"] as? String)
            let shown = try await harness.call(.GET, "/transfers/\(id)", token: provider)
            #expect(shown.status == 200)
            let progress = shown.json["progress"] as? [String: Any]
            #expect(progress?["records"] as? Int == 2000)
            #expect(progress?["bytes"] as? Int == csv.count)
            let manifests = shown.json["manifests"] as? [String: Any] ?? [:]
            #expect(Set(manifests.keys) == ["018", "017", "002", "C001"])

            let receiver = try await harness.token("sys-002")
            let feed = try await harness.readFeed("resident-change", token: receiver, limit: 700)
            #expect(feed.records.count == 2000)
            #expect(Set(feed.records.compactMap { $0["id"] as? String }).count == 2000)

            let other = try await harness.token("sys-018")
            #expect(try await harness.call(.GET, "/transfers/\(id)", token: other).status == 404)
            let jsonBulk = try await harness.call(
                .POST, "/linkages/resident-change/transfers", token: provider, contentType: "application/json",
                body: Array("[]".utf8))
            #expect(jsonBulk.status == 415)
        }
    }
}
