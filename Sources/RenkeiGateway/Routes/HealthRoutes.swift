import Foundation
import Hummingbird
import RenkeiBus
import RenkeiContracts
import RenkeiKafka

/// `/health/live`, `/health/ready` (broker reachable, contracts loaded, not in maintenance) and `/metrics`.
/// None needs a token: they carry no personal data.
struct HealthRoutes {
    let gateway: Gateway

    func register(on router: Router<GatewayRequestContext>) {
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
            _ = try await gateway.admin.watermarks(topic: BusTopics.history)
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
        var gauges: [(name: String, labels: [(String, String)], value: Int)] = []
        if let topics = try? await gateway.admin.listTopics() {
            for topic in topics.map(\.name) where topic.hasPrefix(BusTopics.deadLetterPrefix) {
                let marks = (try? await gateway.admin.watermarks(topic: topic)) ?? [:]
                gauges.append(
                    ("renkei_dead_letters", [("topic", topic)], marks.values.reduce(0) { $0 + Int($1.high - $1.low) }))
            }
        }
        for dispatcher in gateway.dispatchers {
            guard let marks = try? await gateway.admin.watermarks(topic: dispatcher.topic) else { continue }
            let next = dispatcher.nextOffsets
            let lag = marks.reduce(0) { sum, entry in
                sum + Int(entry.value.high - max(next[entry.key] ?? entry.value.low, entry.value.low))
            }
            gauges.append(
                ("renkei_consumer_lag", [("linkage", dispatcher.linkage.id), ("receiver", dispatcher.receiver)], lag))
        }
        gauges.append(("renkei_kafka_clients_open", [], Bus.openKafkaClients))
        if let behind = gateway.bus.history.behind {
            gauges.append(("renkei_history_index_behind", [], Int(behind)))
        }
        let text = gateway.metrics.exposition(gauges: gauges)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
