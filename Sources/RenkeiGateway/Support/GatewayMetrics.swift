import Foundation
import RenkeiBus
import Synchronization

/// The gateway's metrics, written in the Prometheus text format by `GET /metrics`. Labels carry ids and reason
/// codes only, never record values.
final class GatewayMetrics: Sendable {
    private struct Key: Hashable {
        var name: String
        var labels: [String]
    }

    private struct Histogram {
        var buckets: [Int]
        var sum: Double = 0
        var count = 0
    }

    static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private let counters = Mutex<[Key: Int]>([:])
    private let histograms = Mutex<[Key: Histogram]>([:])

    private static let help: [String: (type: String, help: String)] = [
        "renkei_records_provided_total": ("counter", "Records accepted from providers, per linkage."),
        "renkei_records_delivered_total": (
            "counter", "Records handed to receivers, per linkage, receiver and method (pull, push)."
        ),
        "renkei_validation_failures_total": ("counter", "Refused submissions with a validation error, by reason code."),
        "renkei_push_attempts_total": ("counter", "Webhook POSTs, per linkage, receiver and outcome."),
        "renkei_records_expired_total": (
            "counter", "Offsets removed by retention before they were pushed, per linkage and receiver."
        ),
        "renkei_query_duration_seconds": ("histogram", "Time to answer queries (照会), per linkage and outcome."),
        "renkei_dead_letters": ("gauge", "Messages on each dead-letter topic."),
        "renkei_consumer_lag": ("gauge", "Records not yet pushed, per linkage and receiver."),
        "renkei_history_index_behind": (
            "gauge", "Offsets of the history topic the history index has not read yet (large while it rebuilds)."
        ),
        "renkei_kafka_clients_open": (
            "gauge", "librdkafka clients (producers, consumers, admin) open in this process; constant in requests."
        ),
    ]

    func add(_ name: String, _ labels: [(String, String)], _ value: Int = 1) {
        let key = Key(name: name, labels: labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" })
        counters.withLock { $0[key, default: 0] += value }
    }

    func provided(linkage: String, receipt: ProvideReceipt) {
        add("renkei_records_provided_total", [("linkage", linkage)], receipt.accepted)
    }

    func delivered(linkage: String, receiver: String, method: String, count: Int) {
        guard count > 0 else { return }
        add(
            "renkei_records_delivered_total", [("linkage", linkage), ("receiver", receiver), ("method", method)], count)
    }

    func validationFailed(linkage: String, reason: String) {
        add("renkei_validation_failures_total", [("linkage", linkage), ("reason", reason)])
    }

    func pushAttempt(linkage: String, receiver: String, outcome: String) {
        add("renkei_push_attempts_total", [("linkage", linkage), ("receiver", receiver), ("outcome", outcome)])
    }

    func queryDuration(linkage: String, outcome: String, seconds: Double) {
        let key = Key(
            name: "renkei_query_duration_seconds", labels: ["linkage=\"\(linkage)\"", "outcome=\"\(outcome)\""])
        histograms.withLock { table in
            var histogram = table[key] ?? Histogram(buckets: Array(repeating: 0, count: Self.latencyBuckets.count))
            for (index, bound) in Self.latencyBuckets.enumerated() where seconds <= bound {
                histogram.buckets[index] += 1
            }
            histogram.sum += seconds
            histogram.count += 1
            table[key] = histogram
        }
    }

    /// The exposition text; `gauges` are measured at scrape time by the caller.
    func exposition(gauges: [(name: String, labels: [(String, String)], value: Int)]) -> String {
        var lines: [String: [String]] = [:]
        for (key, value) in counters.withLock({ $0 }) {
            lines[key.name, default: []].append("\(key.name)\(Self.render(key.labels)) \(value)")
        }
        for (key, histogram) in histograms.withLock({ $0 }) {
            var own: [String] = []
            for (index, bound) in Self.latencyBuckets.enumerated() {
                own.append(
                    "\(key.name)_bucket\(Self.render(key.labels + ["le=\"\(bound)\""])) \(histogram.buckets[index])")
            }
            own.append("\(key.name)_bucket\(Self.render(key.labels + ["le=\"+Inf\""])) \(histogram.count)")
            own.append("\(key.name)_sum\(Self.render(key.labels)) \(histogram.sum)")
            own.append("\(key.name)_count\(Self.render(key.labels)) \(histogram.count)")
            lines[key.name, default: []] += own
        }
        for gauge in gauges {
            let labels = gauge.labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }
            lines[gauge.name, default: []].append("\(gauge.name)\(Self.render(labels)) \(gauge.value)")
        }
        var text = ""
        for name in Self.help.keys.sorted() {
            let (type, help) = Self.help[name]!
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for line in (lines[name] ?? []).sorted() { text += line + "\n" }
        }
        return text
    }

    private static func render(_ labels: [String]) -> String {
        labels.isEmpty ? "" : "{\(labels.joined(separator: ","))}"
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
