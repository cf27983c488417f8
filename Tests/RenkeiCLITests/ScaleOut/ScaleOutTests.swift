import Foundation
import RenkeiContracts
import RenkeiTestSupport
import Synchronization
import Testing

/// Three `renkei serve` processes on one cluster answer as one: shared state through Kafka, work split by consumer
/// groups and leases, and an instance killed with `kill -9` whose work the others take over.
@Suite(.serialized) struct ScaleOutTests {
    @Test(.timeLimit(.minutes(3)))
    func assertionsTransfersAndMaintenanceAreTheSameAtEveryInstance() async throws {
        try await ThreeServes.with { scene in
            try await scene.waitUntilListening()
            let secret = "renkei-demo-client-secret-for-001"

            // An assertion used at a is refused at b and c.
            let used = ThreeServes.assertion(client: "sys-001", secret: secret)
            let first = try await scene.token(at: "a", assertion: used)
            #expect(first.status == 200, "\(first.text)")
            for name in ["b", "c"] {
                let again = try await scene.token(at: name, assertion: used)
                #expect(again.status == 401, "instance \(name): \(again.text)")
                #expect(again.text.contains("used before"), "instance \(name): \(again.text)")
            }
            // The same new assertion at all three at once: exactly one token.
            let raced = ThreeServes.assertion(client: "sys-001", secret: secret)
            let bases = try ["a", "b", "c"].map { try scene.base($0) }
            let answers = try await withThrowingTaskGroup(of: Int.self) { group in
                for base in bases {
                    group.addTask { try await ThreeServes.token(base: base, assertion: raced).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.sorted() == [200, 401, 401], "\(answers)")

            // A transfer uploaded at a is visible, committed, at b and c.
            let token = try #require(first.json["access_token"] as? String)
            let csv = Residents.csv(scene.contracts, count: 50)
            let upload = try await LoopbackHTTP.call(
                "POST", try scene.base("a") + "/linkages/resident-change/transfers",
                headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "text/csv")], body: csv)
            #expect(upload.status == 201, "\(upload.text)")
            let id = try #require(upload.json["id"] as? String)
            for name in ["b", "c"] {
                let seen = try await eventually(within: 10) {
                    let reply = try await LoopbackHTTP.call(
                        "GET", try scene.base(name) + "/transfers/\(id)",
                        headers: [("Authorization", "Bearer \(token)")])
                    return reply.status == 200 && reply.json["status"] as? String == "committed"
                        && reply.json["accepted"] as? Int == 50
                }
                #expect(seen, "instance \(name) answers for transfer \(id): \(scene.stderr(name).suffix(2000))")
            }

            // Maintenance switched on at b applies at a and c; switched off at c, at all.
            let ops = try await LoopbackHTTP.token(
                base: try scene.base("b"), client: "ops", secret: "renkei-demo-client-secret-for-ops")
            func switchMaintenance(_ enabled: Bool, at name: String) async throws {
                let reply = try await LoopbackHTTP.call(
                    "PUT", try scene.base(name) + "/operations/maintenance",
                    headers: [("Authorization", "Bearer \(ops)"), ("Content-Type", "application/json")],
                    body: Array("{\"enabled\": \(enabled)}".utf8))
                #expect(reply.status == 200, "\(reply.text)")
            }
            func readiness(_ name: String) async throws -> Int {
                try await LoopbackHTTP.call("GET", try scene.base(name) + "/health/ready").status
            }
            try await switchMaintenance(true, at: "b")
            #expect(try await readiness("b") == 503, "the instance that switched it, at once")
            for name in ["a", "c"] {
                #expect(try await eventually(within: 10) { try await readiness(name) == 503 }, "instance \(name)")
            }
            try await switchMaintenance(false, at: "c")
            for name in ["a", "b", "c"] {
                #expect(try await eventually(within: 10) { try await readiness(name) == 200 }, "instance \(name)")
            }
        }
    }

    @Test(.timeLimit(.minutes(4)))
    func killingAnInstanceMidPushBurstAndBulkUploadLosesNothingAndTheOthersTakeOver() async throws {
        // Every push is answered after 50 ms, so pushes are in flight when c is killed.
        let webhook = try ScriptedWebhook.start { _, _ in .late(.milliseconds(50), status: 204) }
        defer { webhook.stop() }
        try await ThreeServes.with(webhook: webhook.url) { scene in
            try await scene.waitUntilListening()
            let contracts = scene.contracts
            // Once the group has settled, one instance runs 008's file deliveries and one 001's inbox.
            for worker in ["file resident-register-daily → 008", "inbox * → 001"] {
                let single = try await eventually(within: 30) { scene.holders(of: worker).count == 1 }
                #expect(single, "\(worker) runs at \(scene.holders(of: worker))")
            }
            let token = try await LoopbackHTTP.token(
                base: try scene.base("a"), client: "sys-001", secret: "renkei-demo-client-secret-for-001")
            var ledger = DeliveryLedger()

            // The push burst, provided through a and b in turn.
            for batch in 0..<12 {
                let records = Residents.json(contracts, count: 20, skip: batch * 20)
                let reply = try await LoopbackHTTP.call(
                    "POST", try scene.base(batch % 2 == 0 ? "a" : "b") + "/linkages/resident-change/records",
                    headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                    body: Residents.array(records))
                ledger.submitted(
                    keys: records.map(Residents.key), eventIDs: reply.json["eventIDs"] as? [String] ?? [],
                    reply.status == 201 ? .acknowledged : .unacknowledged)
            }
            try #require(ledger.keys(.acknowledged).count == 240)
            var pushed = ledger

            // A bulk upload to c, half sent when c is killed.
            let cut = Residents.csv(contracts, count: 8000, skip: 10_000)
            let (parts, continuation) = AsyncStream.makeStream(of: [UInt8].self)
            let cBase = try scene.base("c")
            let upload = Task {
                try await LoopbackHTTP.stream(
                    cBase + "/linkages/resident-change/transfers",
                    headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "text/csv")], parts: parts,
                    length: cut.count)
            }
            continuation.yield(Array(cut[..<(cut.count / 2)]))
            let chunksWritten = try await eventually(within: 30) {
                try await scene.records(on: "renkei.bulk.resident-change.018") > 0
            }
            try #require(chunksWritten, "the first half reached the bulk topic: \(scene.stderr("c").suffix(2000))")
            let pushing = try await eventually(within: 30) { webhook.taken.count > 20 }
            try #require(pushing, "pushes under way before the kill")
            let takenBeforeKill = webhook.taken.count
            #expect(try await scene.kill("c") == 9)
            continuation.finish()
            #expect((try? await upload.value) == nil, "the cut upload got no answer")
            ledger.submitted(keys: Residents.keys(csv: cut, contracts: contracts), .unacknowledged)

            // a and b take c's push partitions (after the group's session timeout) and its leases.
            let expected = ledger.keys(.acknowledged)
            let all = try await eventually(within: 90) {
                expected.isSubset(of: Set(webhook.taken.compactMap { $0.headers["ce-subject"] }))
            }
            #expect(all, "every acknowledged record pushed after the kill: \(scene.stderr("a").suffix(2000))")

            // A whole upload at b, and a CSV dropped into 001's inbox: ingested once, by whichever instance holds
            // the inbox's lease.
            let whole = Residents.csv(contracts, count: 1000, skip: 20_000)
            let reply = try await LoopbackHTTP.call(
                "POST", try scene.base("b") + "/linkages/resident-change/transfers",
                headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "text/csv")], body: whole)
            #expect(reply.status == 201, "\(reply.text)")
            ledger.submitted(
                keys: Residents.keys(csv: whole, contracts: contracts),
                reply.status == 201 ? .acknowledged : .unacknowledged)
            let inbox = scene.root.appendingPathComponent("inbox/001/resident-change")
            try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
            let dropped = Residents.csv(contracts, count: 300, skip: 30_000)
            try Data(dropped).write(to: inbox.appendingPathComponent("dropped.csv"))
            let ingested = try await eventually(within: 60) {
                FileManager.default.fileExists(atPath: inbox.appendingPathComponent("done/dropped.csv").path)
            }
            #expect(ingested, "the inbox file was ingested: \(scene.stderr("a").suffix(1500))")
            // c's leases, if it held any, moved to a or b.
            for worker in ["file resident-register-daily → 008", "inbox * → 001"] {
                #expect(scene.holders(of: worker).count == 1, "\(worker) runs at \(scene.holders(of: worker))")
            }
            ledger.submitted(keys: Residents.keys(csv: dropped, contracts: contracts), .acknowledged)

            let allKeys = ledger.keys(.acknowledged)
            for receiver in ["018", "002"] {
                let reader = try await LoopbackHTTP.token(
                    base: try scene.base("a"), client: "sys-\(receiver)",
                    secret: "renkei-demo-client-secret-for-\(receiver)")
                let complete = try await eventually(within: 30) {
                    let records = try await LoopbackHTTP.readFeed(
                        base: try scene.base("a"), linkage: "resident-change", token: reader)
                    let keys = Set(records.compactMap { ($0["data"] as? [String: Any])?["atena_number"] as? String })
                    return allKeys.isSubset(of: keys)
                }
                #expect(complete, "receiver \(receiver) has every acknowledged record")
                for record in try await LoopbackHTTP.readFeed(
                    base: try scene.base("a"), linkage: "resident-change", token: reader)
                {
                    let data = record["data"] as? [String: Any] ?? [:]
                    ledger.delivered(
                        to: receiver, key: data["atena_number"] as? String ?? "", eventID: record["id"] as? String)
                }
            }
            // 017 is pushed the single provides record by record; bulk transfers reach it as one manifest event each
            // (no subject), and their records through the feed.
            for request in webhook.taken where request.headers["ce-subject"] != nil {
                pushed.delivered(to: "017", key: request.headers["ce-subject"] ?? "", eventID: request.headers["ce-id"])
            }
            print(pushed.report("kill-9-one-of-three-serves-push", receivers: ["017"]))
            print(ledger.report("kill-9-one-of-three-serves-pull", receivers: ["018", "002"]))
            print("fault kill-9-one-of-three-serves pushes taken before the kill: \(takenBeforeKill)")
            #expect(pushed.tally("017").holds, "\(pushed.tally("017").line)")
            for receiver in ["018", "002"] {
                let tally = ledger.tally(receiver)
                #expect(tally.holds, "\(tally.line)")
            }
            // Pull receivers read the topics themselves: no copies at all.
            for receiver in ["018", "002"] { #expect(ledger.tally(receiver).duplicated == 0) }

            // 008's daily file (the window missed before the start) was written by one instance only.
            let outbox = scene.root.appendingPathComponent("outbox/008")
            let manifests = (FileManager.default.enumerator(atPath: outbox.path)?.allObjects as? [String] ?? [])
                .filter { $0.hasSuffix(".manifest.json") }
            #expect(manifests.count == 1, "one daily file, not one per instance: \(manifests)")
        }
    }
}
