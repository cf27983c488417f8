import Foundation
import Metrics
import Prometheus
import RenkeiBus
import RenkeiContracts
import Synchronization

/// The gateway's metrics: recorded through swift-metrics into a Prometheus registry of this gateway's own (so that
/// several gateways in one process — tests, benchmarks — do not mix), and written in the Prometheus text format by
/// `GET /metrics`. Labels carry ids and reason codes only, never record values.
final class GatewayMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    /// The series of the scrape-time gauges last reported, so that one the caller no longer reports (a stopped push
    /// worker's lag, a deleted dead-letter topic) is removed instead of repeating its last value.
    private let gauges = Mutex<[String: Metrics.Gauge]>([:])

    /// Bucket bounds of every duration histogram: fine around the 100 ms goal for a provide's and a push's p99,
    /// coarse up to the two minutes a bulk transfer or a push with retries can take.
    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(75), .milliseconds(100), .milliseconds(150), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        .seconds(120),
    ]

    /// The duration histograms; each gets ``latencyBuckets``.
    static let histograms = [
        "renkei_provide_duration_seconds", "renkei_push_latency_seconds", "renkei_webhook_call_duration_seconds",
        "renkei_query_duration_seconds",
    ]

    /// The `# HELP` text of each metric; swift-metrics has no place for it, so it is added to the registry's text.
    /// docs/metrics.md describes each one at length.
    static let help: [String: String] = [
        "renkei_records_provided_total": "Records accepted from providers, per linkage.",
        "renkei_bytes_provided_total": "Request body bytes of accepted provides and transfers, per linkage.",
        "renkei_provide_duration_seconds":
            "Time from a provide request's handler start to its answer, per linkage, kind (records, transfer) and "
            + "outcome (ok, invalid, refused, error).",
        "renkei_records_delivered_total":
            "Records handed to receivers, per linkage, receiver and method (pull, push).",
        "renkei_bytes_delivered_total":
            "Bytes of record data handed to receivers, per linkage, receiver and method (pull, push).",
        "renkei_validation_failures_total": "Refused submissions with a validation error, by reason code.",
        "renkei_push_attempts_total": "Webhook POSTs, per linkage, receiver and outcome.",
        "renkei_push_latency_seconds":
            "Time from a record's provide (ce_time) to its receiver's 2xx, retries included, per linkage and "
            + "receiver.",
        "renkei_webhook_call_duration_seconds": "Time of one webhook POST, per linkage, receiver and outcome.",
        "renkei_records_expired_total":
            "Offsets removed by retention before they were pushed, per linkage and receiver.",
        "renkei_query_duration_seconds": "Time to answer queries (照会), per linkage and outcome.",
        "renkei_dead_letters": "Messages on each dead-letter topic.",
        "renkei_receiver_lag":
            "Offsets of a receiver's topic after its position, per linkage, receiver and method (push and kafka: "
            + "cluster-wide; pull: last cursor fetched at this instance; file: where the file worker runs).",
        "renkei_pull_last_fetch_timestamp_seconds":
            "When a pull receiver last fetched a feed page at this instance (Unix seconds).",
        "renkei_history_index_behind":
            "Offsets of the history topic the history index has not read yet (large while it rebuilds).",
        "renkei_kafka_clients_open":
            "librdkafka clients (producers, consumers, admin) open in this process; constant in requests.",
    ]

    /// With `contracts`, each linkage's series start at zero, so that a scrape before the first record already
    /// shows every family and an alert on a rate sees the start.
    init(contracts: ContractSet? = nil) {
        var factory = PrometheusMetricsFactory(registry: registry)
        for name in Self.histograms { factory.durationHistogramBuckets[name] = Self.latencyBuckets }
        self.factory = factory
        for linkage in contracts?.linkages ?? [] {
            switch linkage.mode {
            case .provide:
                add("renkei_records_provided_total", [("linkage", linkage.id)], 0)
                add("renkei_bytes_provided_total", [("linkage", linkage.id)], 0)
                _ = timer(
                    "renkei_provide_duration_seconds",
                    [("linkage", linkage.id), ("kind", "records"), ("outcome", "ok")])
                for receiver in linkage.receivers where receiver.delivery == .push {
                    _ = timer("renkei_push_latency_seconds", [("linkage", linkage.id), ("receiver", receiver.system)])
                }
            case .query:
                _ = timer("renkei_query_duration_seconds", [("linkage", linkage.id), ("outcome", "ok")])
            }
        }
    }

    func timer(_ name: String, _ labels: [(String, String)]) -> Metrics.Timer {
        Metrics.Timer(label: name, dimensions: labels, factory: factory)
    }

    func record(_ name: String, _ labels: [(String, String)], _ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        timer(name, labels).recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    func add(_ name: String, _ labels: [(String, String)], _ value: Int = 1) {
        Counter(label: name, dimensions: labels, factory: factory).increment(by: value)
    }

    func delivered(linkage: String, receiver: String, method: String, count: Int) {
        guard count > 0 else { return }
        add(
            "renkei_records_delivered_total", [("linkage", linkage), ("receiver", receiver), ("method", method)], count)
    }

    /// Record data handed to a receiver (the projected JSON, as pushed or as in a feed page's `data`).
    func deliveredBytes(linkage: String, receiver: String, method: String, bytes: Int) {
        guard bytes > 0 else { return }
        add("renkei_bytes_delivered_total", [("linkage", linkage), ("receiver", receiver), ("method", method)], bytes)
    }

    func validationFailed(linkage: String, reason: String) {
        add("renkei_validation_failures_total", [("linkage", linkage), ("reason", reason)])
    }

    func queryDuration(linkage: String, outcome: String, seconds: Double) {
        record("renkei_query_duration_seconds", [("linkage", linkage), ("outcome", outcome)], .seconds(seconds))
    }

    /// The exposition text; `gauges` are measured at scrape time by the caller.
    func exposition(gauges: [(name: String, labels: [(String, String)], value: Double)]) -> String {
        var current: [String: Metrics.Gauge] = [:]
        for gauge in gauges {
            let key = gauge.name + "\u{0}" + gauge.labels.map { "\($0.0)=\($0.1)" }.joined(separator: "\u{0}")
            let series = Metrics.Gauge(label: gauge.name, dimensions: gauge.labels, factory: factory)
            series.record(gauge.value)
            current[key] = series
        }
        let gone = self.gauges.withLock { previous in
            defer { previous = current }
            return previous.filter { current[$0.key] == nil }.map(\.value)
        }
        for series in gone { series.destroy() }
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return Self.addingHelp(to: String(decoding: bytes, as: UTF8.self))
    }

    /// `text` with a `# HELP` line before each `# TYPE` line of a metric that has help text.
    static func addingHelp(to text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count + 2048)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), let name = line.dropFirst(7).split(separator: " ").first,
                let help = help[String(name)]
            {
                output += "# HELP \(name) \(help)\n"
            }
            output += line
            output += "\n"
        }
        return String(output.dropLast())
    }
}
