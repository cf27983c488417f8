import Foundation
import Hummingbird
import RenkeiBus
import RenkeiContracts

/// `/health/live`, `/health/ready` (broker reachable, contracts loaded, not in maintenance) and `/metrics`.
/// None needs a token: they carry no personal data.
struct HealthRoutes {
    let gateway: Gateway

    func register(on router: some RouterMethods<GatewayRequestContext>) {
        router.get("/health/live") { _, _ in Gateway.json(.object([("status", "live")])) }
        router.get("/health/ready") { _, _ in await ready() }
        router.get("/metrics") { _, _ in try await metrics() }
    }

    private func ready() async -> Response {
        var checks: [(String, JSONValue)] = [
            ("contracts", .string("\(gateway.contracts.linkages.count) linkages")),
            ("maintenance", .bool(gateway.inMaintenance)),
        ]
        var brokerUp = false
        do {
            try await gateway.bus.checkCluster()
            brokerUp = true
        } catch {
            checks.append(("brokerError", .string("\(error)")))
        }
        checks.append(("broker", .string(brokerUp ? "reachable" : "unreachable")))
        let ready = brokerUp && !gateway.inMaintenance
        let status = ready ? "ready" : (gateway.inMaintenance ? "maintenance" : "unavailable")
        return Gateway.json(
            .object([("status", .string(status))] + checks), status: ready ? .ok : .serviceUnavailable,
            headers: ready ? [:] : [.retryAfter: "30"])
    }

    private func metrics() async throws -> Response {
        var gauges: [(name: String, labels: [(String, String)], value: Double)] = []
        for (topic, count) in await gateway.bus.deadLetterCounts() {
            gauges.append(("renkei_dead_letters", [("topic", topic)], Double(count)))
        }
        for lag in await gateway.receiverLag.lag(files: await gateway.delivery?.lag() ?? []) {
            gauges.append(
                (
                    "renkei_receiver_lag",
                    [("linkage", lag.linkage), ("receiver", lag.receiver), ("method", lag.method.rawValue)],
                    Double(lag.records)
                ))
        }
        for fetch in gateway.receiverLag.lastFetches {
            gauges.append(
                (
                    "renkei_pull_last_fetch_timestamp_seconds",
                    [("linkage", fetch.linkage), ("receiver", fetch.receiver)],
                    fetch.secondsSince1970
                ))
        }
        gauges.append(("renkei_kafka_clients_open", [], Double(Bus.openKafkaClients)))
        if let behind = gateway.bus.history.behind {
            gauges.append(("renkei_history_index_behind", [], Double(behind)))
        }
        let text = gateway.metrics.exposition(gauges: gauges)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
