import Foundation
import RenkeiTestSupport
import Testing
import Yams

/// docs/metrics.md, the Grafana dashboard and the Prometheus alert rules cannot drift from what the app serves.
@Suite(.serialized) struct MetricsDocumentationTests {
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs")

    static func text(_ path: String) throws -> String {
        try String(contentsOf: docs.appendingPathComponent(path), encoding: .utf8)
    }

    /// The metric families docs/metrics.md describes: one `### \`name\`` heading each.
    static func documented() throws -> Set<String> {
        Set(
            try text("metrics.md").split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("### `renkei_"), line.hasSuffix("`") else { return nil }
                return String(line.dropFirst(5).dropLast())
            })
    }

    /// Every `renkei_…` name in `expression`.
    static func names(in expression: String) -> Set<String> {
        Set(expression.matches(of: /renkei_[a-z0-9_]+/).map { String($0.output) })
    }

    /// Every panel of the dashboard, rows' panels included.
    static func dashboardPanels() throws -> [[String: Any]] {
        let data = try Data(contentsOf: docs.appendingPathComponent("grafana/renkei-dashboard.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        func walk(_ panels: [[String: Any]]) -> [[String: Any]] {
            panels.flatMap { [$0] + walk($0["panels"] as? [[String: Any]] ?? []) }
        }
        return walk(dashboard["panels"] as? [[String: Any]] ?? [])
    }

    static func dashboardExpressions() throws -> [String] {
        try dashboardPanels().flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
    }

    static func alertRules() throws -> [[String: Any]] {
        let rules = try #require(try Yams.load(yaml: text("prometheus/renkei-alerts.yaml")) as? [String: Any])
        let groups = try #require(rules["groups"] as? [[String: Any]])
        return groups.flatMap { $0["rules"] as? [[String: Any]] ?? [] }
    }

    @Test func theDashboardTakesItsPrometheusAsAnInputAndEveryPanelQueriesIt() throws {
        let data = try Data(contentsOf: Self.docs.appendingPathComponent("grafana/renkei-dashboard.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let inputs = dashboard["__inputs"] as? [[String: Any]] ?? []
        #expect(
            inputs.contains { $0["name"] as? String == "DS_PROMETHEUS" && $0["pluginId"] as? String == "prometheus" })
        let panels = try Self.dashboardPanels().filter { $0["type"] as? String != "row" }
        #expect(panels.count >= 10)
        for panel in panels {
            let title = panel["title"] as? String ?? "?"
            #expect((panel["datasource"] as? [String: Any])?["uid"] as? String == "${DS_PROMETHEUS}", "\(title)")
            #expect((panel["targets"] as? [[String: Any]])?.isEmpty == false, "\(title)")
        }
        let ids = panels.compactMap { $0["id"] as? Int }
        #expect(Set(ids).count == panels.count, "panel ids are unique")
        let queried = try Set(Self.dashboardExpressions().flatMap { Self.names(in: $0) })
        for family in [
            "renkei_provide_duration_seconds_bucket", "renkei_push_latency_seconds_bucket", "renkei_receiver_lag",
            "renkei_dead_letters", "renkei_pull_last_fetch_timestamp_seconds", "renkei_kafka_clients_open",
            "renkei_history_index_behind",
        ] {
            #expect(queried.contains(family), "the dashboard shows \(family)")
        }
    }

    @Test func theAlertRulesWatchLagDeadLettersStoppedPullsTheIndexAndProvideLatency() throws {
        let rules = try Self.alertRules()
        let names = Set(rules.compactMap { $0["alert"] as? String })
        #expect(
            names.isSuperset(of: [
                "RenkeiReceiverLagHigh", "RenkeiReceiverLagGrowing", "RenkeiDeadLettersIncreased",
                "RenkeiPullReceiverStoppedPulling", "RenkeiHistoryIndexBehind", "RenkeiProvideP99Over100ms",
            ]))
        for rule in rules {
            let name = rule["alert"] as? String ?? "?"
            #expect((rule["expr"] as? String)?.contains("renkei_") == true, "\(name)")
            #expect((rule["labels"] as? [String: Any])?["severity"] != nil, "\(name)")
            let annotations = rule["annotations"] as? [String: Any]
            #expect(annotations?["summary"] != nil && annotations?["description"] != nil, "\(name)")
        }
    }

    @Test func everyMetricOfTheDashboardAndAlertsIsDocumentedAndInARealScrape() async throws {
        let webhook = try await TestServer.start(path: "/events") { _, _ in (204, []) }
        let scrape = try await GatewayHarness.with(webhook: webhook.url) { harness in
            let provider = try await harness.token("sys-001")
            let provided = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                body: Residents.array(Residents.json(harness.bus.contracts, count: 2)))
            #expect(provided.status == 201)
            let invalid = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                body: Array(#"[{"atena_number": "1"}]"#.utf8))
            #expect(invalid.status == 422)
            #expect(try await eventually { webhook.requests.count >= 2 })
            let receiver = try await harness.token("sys-002")
            #expect(try await harness.call(.GET, "/linkages/resident-change/feed", token: receiver).status == 200)
            return try await harness.scrape()
        }
        await webhook.stop()

        let documented = try Self.documented()
        // A histogram's series are `<family>_bucket`, `_sum` and `_count`.
        func family(_ name: String) -> String {
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
                let base = String(name.dropLast(suffix.count))
                if scrape.types[base] == "histogram" || documented.contains(base) { return base }
            }
            return name
        }
        let used = try Set(
            (Self.dashboardExpressions() + Self.alertRules().compactMap { $0["expr"] as? String })
                .flatMap { Self.names(in: $0) }.map(family))
        #expect(used.count >= 10)
        for name in used.sorted() {
            #expect(documented.contains(name), "\(name) is used by the dashboard or the alerts but not in metrics.md")
            #expect(scrape.types[name] != nil, "\(name) is used by the dashboard or the alerts but not served")
        }
        for name in scrape.types.keys.sorted() {
            #expect(documented.contains(name), "\(name) is served but not described in metrics.md")
        }
        // Offsets removed by retention need a broker that expires records; everything else shows in this scrape.
        for name in documented.subtracting(scrape.types.keys).sorted() {
            #expect(name == "renkei_records_expired_total", "\(name) is described in metrics.md but not served")
        }
    }
}
