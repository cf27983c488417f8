import Foundation
import Logging
import RenkeiBus
import RenkeiContracts
import RenkeiKafka
import RenkeiTestSupport
import Synchronization
import Testing

/// `kill -9` of `renkei serve` in the middle of a bulk upload and of a push burst, then a restart: the cluster is
/// an embedded one hosted by the test process (so it outlives the killed `serve`), which `serve` reaches with
/// `--brokers` as it would a real cluster.
@Suite(.serialized) struct ServeKillFaultSuite {
    @Test(.timeLimit(.minutes(2)))
    func aBulkUploadCutByKillIsNeverDeliveredAndTheNextOneIsDeliveredWhole() async throws {
        try await KillScene.with { scene in
            var serve = try await scene.start()
            let base = try scene.base(serve)
            let token = try await LoopbackHTTP.token(
                base: base, client: "sys-001", secret: "renkei-demo-client-secret-for-001")
            var ledger = DeliveryLedger()

            // Half the body is sent and the first chunks are on the bulk topic when serve is killed.
            let cut = Residents.csv(scene.contracts, count: 12_000)
            let cutKeys = Residents.keys(csv: cut, contracts: scene.contracts)
            let (parts, continuation) = AsyncStream.makeStream(of: [UInt8].self)
            let upload = Task {
                try await LoopbackHTTP.stream(
                    base + "/linkages/resident-change/transfers",
                    headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "text/csv")], parts: parts,
                    length: cut.count)
            }
            continuation.yield(Array(cut[..<(cut.count / 2)]))
            let chunksWritten = try await eventually {
                try await scene.records(on: "renkei.bulk.resident-change.018") > 0
            }
            try #require(chunksWritten, "the first half reached the bulk topic: \(serve.stderr.suffix(2000))")
            #expect(try await serve.killAbruptly() == 9)
            continuation.finish()
            #expect((try? await upload.value) == nil, "the upload got no answer")
            ledger.submitted(keys: cutKeys, .unacknowledged)

            serve = try await scene.start()
            let restarted = try scene.base(serve)
            let whole = Residents.csv(scene.contracts, count: 3000, skip: 12_000)
            let reply = try await LoopbackHTTP.call(
                "POST", restarted + "/linkages/resident-change/transfers",
                headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "text/csv")], body: whole)
            #expect(reply.status == 201, "\(reply.text)")
            ledger.submitted(
                keys: Residents.keys(csv: whole, contracts: scene.contracts),
                reply.status == 201 ? .acknowledged : .unacknowledged)
            for receiver in ["018", "002"] {
                let reader = try await LoopbackHTTP.token(
                    base: restarted, client: "sys-\(receiver)",
                    secret: "renkei-demo-client-secret-for-\(receiver.lowercased())")
                for record in try await LoopbackHTTP.readFeed(
                    base: restarted, linkage: "resident-change", token: reader)
                {
                    let data = record["data"] as? [String: Any] ?? [:]
                    ledger.delivered(
                        to: receiver, key: data["atena_number"] as? String ?? "", eventID: record["id"] as? String)
                }
            }
            print(ledger.report("kill-9-serve-mid-bulk-upload", receivers: ["018", "002"]))
            for receiver in ["018", "002"] {
                let tally = ledger.tally(receiver)
                #expect(tally.holds, "\(tally)")
                #expect(tally.delivered == 3000 && tally.duplicated == 0)
            }
            #expect(try await serve.terminate() == 0, "\(serve.stderr.suffix(2000))")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aPushBurstCutByKillReachesTheWebhookWithCopiesOnlyOfUncommittedRecords() async throws {
        // The first 40 pushes are taken at once; later ones are taken but answered only after 5 s, so serve is
        // killed with pushes in flight. After the restart every push is answered at once.
        let restarted = Atomic<Bool>(false)
        let webhook = try ScriptedWebhook.start { number, _ in
            number < 40 || restarted.load(ordering: .relaxed) ? .status(204) : .late(.seconds(5), status: 204)
        }
        defer { webhook.stop() }
        try await KillScene.with(webhook: webhook.url) { scene in
            var serve = try await scene.start()
            let base = try scene.base(serve)
            let token = try await LoopbackHTTP.token(
                base: base, client: "sys-001", secret: "renkei-demo-client-secret-for-001")
            var ledger = DeliveryLedger()
            for batch in 0..<10 {
                let records = Residents.json(scene.contracts, count: 20, skip: batch * 20)
                let reply = try await LoopbackHTTP.call(
                    "POST", base + "/linkages/resident-change/records",
                    headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                    body: Residents.array(records))
                ledger.submitted(
                    keys: records.map(Residents.key), eventIDs: reply.json["eventIDs"] as? [String] ?? [],
                    reply.status == 201 ? .acknowledged : .unacknowledged)
            }
            try #require(ledger.keys(.acknowledged).count == 200)
            let inFlight = try await eventually { webhook.requests.count > 40 }
            try #require(inFlight, "pushes in flight before the kill: \(serve.stderr.suffix(2000))")
            #expect(try await serve.killAbruptly() == 9)
            let takenBeforeKill = webhook.taken.count
            restarted.store(true, ordering: .relaxed)

            serve = try await scene.start()
            let expected = ledger.keys(.acknowledged)
            let all = try await eventually(within: 60) {
                expected.isSubset(of: Set(webhook.taken.compactMap { $0.headers["ce-subject"] }))
            }
            #expect(all, "every acknowledged record pushed after the restart: \(serve.stderr.suffix(2000))")
            for request in webhook.taken {
                ledger.delivered(to: "017", key: request.headers["ce-subject"] ?? "", eventID: request.headers["ce-id"])
            }
            print(ledger.report("kill-9-serve-mid-push-burst", receivers: ["017"]))
            print("fault kill-9-serve-mid-push-burst taken before the kill: \(takenBeforeKill) of 200")
            let tally = ledger.tally("017")
            #expect(tally.holds, "\(tally)")
            #expect(takenBeforeKill < 200, "the kill came in the middle of the burst")
            #expect(try await serve.terminate() == 0, "\(serve.stderr.suffix(2000))")
        }
    }
}

/// An embedded cluster in the test process with the plan's topics, a copy of the sample contracts (the webhook of
/// 017 pointing at the test's receiver) and a data directory, for `renkei serve` processes started one after another
/// as the same instance.
struct KillScene: Sendable {
    let kafka: EmbeddedKafka
    let admin: KafkaAdmin
    let contracts: ContractSet
    let contractsDirectory: URL
    let dataDirectory: URL
    static let instance = "fault-kill"

    static func with(webhook: String? = nil, _ body: (KillScene) async throws -> Void) async throws {
        let directory = try CLIRunner.copyOfSampleContracts()
        if let webhook {
            let systems = directory.appendingPathComponent("systems.yaml")
            let text = try String(contentsOf: systems, encoding: .utf8)
            try text.replacingOccurrences(of: "http://127.0.0.1:18017/renkei/events", with: webhook)
                .write(to: systems, atomically: true, encoding: .utf8)
        }
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-fault-\(UUID())")
        var logger = Logger(label: "renkei.test")
        logger.logLevel = .critical
        let kafka = try EmbeddedKafka.start(brokers: 1, logger: logger)
        let contracts = try ContractLoader.load(directory: directory.path)
        // What `renkei topics apply` does on a real cluster; `serve` on another process's embedded cluster cannot.
        let plan = try TopicPlan(
            contracts: contracts, instances: [instance],
            settings: TopicSettings(replicationFactor: 1, minInsyncReplicas: 1))
        let admin = try KafkaAdmin.make(configuration: kafka.configuration, logger: logger)
        _ = try await plan.apply(admin: admin, kind: .embeddedInProcess)
        let scene = KillScene(
            kafka: kafka, admin: admin, contracts: contracts, contractsDirectory: directory, dataDirectory: data)
        do {
            try await body(scene)
        } catch {
            await kafka.shutdown(afterClientsClose: .seconds(5))
            throw error
        }
        await kafka.shutdown(afterClientsClose: .seconds(5))
        try? FileManager.default.removeItem(at: directory)
        try? FileManager.default.removeItem(at: data)
    }

    /// Starts `renkei serve` on the cluster and waits until it listens.
    func start() async throws -> ServeProcess {
        let serve = try ServeProcess(
            [
                "--port", "0", "--instance", Self.instance, "--demo", "--brokers", kafka.bootstrapServers,
                "--contracts", contractsDirectory.path, "--data-dir", dataDirectory.path,
            ], environment: ["RENKEI_TOKEN_KEY": "fault-suite-token-key-of-32-bytes-or-more"])
        let listening = try await serve.waitFor("gateway listening", timeout: .seconds(60))
        try #require(listening, "\(serve.stderr.suffix(3000))")
        return serve
    }

    func base(_ serve: ServeProcess) throws -> String {
        "http://127.0.0.1:\(try #require(serve.listeningPort, "\(serve.stderr.suffix(2000))"))"
    }

    /// Records on every partition of `topic`.
    func records(on topic: String) async throws -> Int64 {
        try await admin.watermarks(topic: topic).values.reduce(0) { $0 + $1.count }
    }
}
