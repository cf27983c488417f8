import Foundation
import RenkeiBus
import RenkeiTestSupport
import Synchronization
import Testing

@testable import RenkeiGateway

/// The metrics an operator watches, measured on the real app: latency histograms, bytes, every receiver's lag.
@Suite(.serialized) struct OperableMetricsTests {
    @Test func pushLagHoldsWhileTheWebhookHangsThenFallsToZeroWithLatencyAndBytesRecorded() async throws {
        let open = Atomic(false)
        let webhook = try await TestServer.start(path: "/events") { _, _ in
            while !open.load(ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(20)) }
            return (204, [])
        }
        try await GatewayHarness.with(
            webhook: webhook.url, configure: { $0.outboundRequestTimeout = .seconds(60) }
        ) { harness in
            let provider = try await harness.token("sys-001")
            let body = Residents.array(Residents.json(harness.bus.contracts, count: 3))
            let provided = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                body: body)
            #expect(provided.status == 201)
            let unreadable = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                body: Array("[{".utf8))
            #expect(unreadable.status == 400)

            let push = ["linkage": "resident-change", "receiver": "017", "method": "push"]
            let stuck = try await harness.scrape()
            // The webhook holds the first POST: the push group has committed nothing of the three records.
            #expect(stuck.value("renkei_receiver_lag", push) == 3)
            #expect(stuck.value("renkei_bytes_provided_total", ["linkage": "resident-change"]) == Double(body.count))
            let ok = ["linkage": "resident-change", "kind": "records", "outcome": "ok"]
            #expect(stuck.value("renkei_provide_duration_seconds_count", ok) == 1)
            #expect(
                stuck.value("renkei_provide_duration_seconds_count", ok.merging(["outcome": "invalid"]) { $1 }) == 1)

            open.store(true, ordering: .releasing)
            var scrape = stuck
            let caughtUp = try await eventually {
                scrape = try await harness.scrape()
                return scrape.value("renkei_receiver_lag", push) == 0
            }
            #expect(caughtUp, "\(scrape.value("renkei_receiver_lag", push) ?? -1)")
            let pair = ["linkage": "resident-change", "receiver": "017"]
            #expect(scrape.value("renkei_push_latency_seconds_count", pair) == 3)
            // Held for at least the scrape before the webhook opened: no record took under one millisecond.
            #expect(scrape.value("renkei_push_latency_seconds_bucket", pair.merging(["le": "0.001"]) { $1 }) == 0)
            #expect(
                scrape.value(
                    "renkei_webhook_call_duration_seconds_count", pair.merging(["outcome": "delivered"]) { $1 })
                    == 3)
            let sent = webhook.requests.reduce(0) { $0 + $1.body.count }
            #expect(sent > 0)
            #expect(scrape.value("renkei_bytes_delivered_total", push) == Double(sent))
        }
        await webhook.stop()
    }

    @Test func aPullReceiversLagDropsAfterEachFetchAndItsLastFetchTimeIsReported() async throws {
        try await GatewayHarness.with { harness in
            let provider = try await harness.token("sys-001")
            let provided = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                body: Residents.array(Residents.json(harness.bus.contracts, count: 3)))
            #expect(provided.status == 201)
            let pull = ["linkage": "resident-change", "receiver": "002", "method": "pull"]
            let before = try await harness.scrape()
            #expect(before.value("renkei_receiver_lag", pull) == nil, "not fetched at this instance yet")

            let receiver = try await harness.token("sys-002")
            let started = Date().timeIntervalSince1970
            let page = try await harness.call(.GET, "/linkages/resident-change/feed?limit=1", token: receiver)
            #expect(page.status == 200)
            let one = try await harness.scrape()
            #expect(one.value("renkei_receiver_lag", pull) == 2)
            let fetched = try #require(
                one.value(
                    "renkei_pull_last_fetch_timestamp_seconds", ["linkage": "resident-change", "receiver": "002"]))
            #expect(fetched >= started.rounded(.down) && fetched <= Date().timeIntervalSince1970 + 1)
            #expect(one.value("renkei_records_delivered_total", pull) == 1)
            #expect((one.value("renkei_bytes_delivered_total", pull) ?? 0) > 0)

            let cursor = try #require(page.json["next"] as? String)
            _ = try await harness.readFeed("resident-change", token: receiver, from: cursor)
            let all = try await harness.scrape()
            #expect(all.value("renkei_receiver_lag", pull) == 0)
            #expect(all.value("renkei_records_delivered_total", pull) == 3)
            // Another pull receiver that never fetched here has no series; the kafka receiver is measured anyway.
            #expect(all.value("renkei_receiver_lag", ["receiver": "C001", "method": "pull"]) == nil)
            #expect(
                all.value(
                    "renkei_receiver_lag",
                    ["linkage": "resident-register-daily", "receiver": "018", "method": "kafka"]) == 0)
        }
    }

    @Test func aBulkTransferCountsItsBodyBytesAndItsDurationAsATransfer() async throws {
        try await GatewayHarness.with { harness in
            let provider = try await harness.token("sys-001")
            let csv = Residents.csv(harness.bus.contracts, count: 50)
            let reply = try await harness.call(
                .POST, "/linkages/resident-change/transfers", token: provider, contentType: "text/csv", body: csv)
            #expect(reply.status == 201)
            let scrape = try await harness.scrape()
            #expect(scrape.value("renkei_bytes_provided_total", ["linkage": "resident-change"]) == Double(csv.count))
            #expect(scrape.value("renkei_records_provided_total", ["linkage": "resident-change"]) == 50)
            #expect(
                scrape.value(
                    "renkei_provide_duration_seconds_count",
                    ["linkage": "resident-change", "kind": "transfer", "outcome": "ok"]) == 1)
        }
    }

    @Test(
        arguments: [
            (nil, "ok"), (Problem.notFound("no"), "refused"), (Problem.forbidden(scope: "s"), "refused"),
            (Problem.badRequest("x", "y"), "invalid"), (Problem.bodyTooLarge(limit: 1), "invalid"),
            (Problem(.serviceUnavailable, "broker", "Broker unavailable", detail: "-"), "error"),
            (CancellationError(), "error"),
        ] as [((any Error)?, String)])
    func aProvidesOutcomeIsWhatItsCallerSaw(failure: (any Error)?, outcome: String) {
        #expect(GatewayMetrics.provideOutcome(failure) == outcome)
    }
}

extension GatewayHarness {
    /// `GET /metrics`, read.
    func scrape() async throws -> MetricsScrape {
        let reply = try await call(.GET, "/metrics")
        guard reply.status == 200 else { throw TokenFailure(status: reply.status, body: reply.text) }
        return MetricsScrape(reply.text)
    }
}
