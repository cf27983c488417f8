import Testing

@testable import RenkeiGateway

@Suite struct GatewayMetricsTests {
    @Test func histogramBucketsComeInOrderAndCountCumulatively() throws {
        let metrics = GatewayMetrics()
        for seconds in [0.0005, 0.04, 0.04, 0.7, 200.0] {
            metrics.queryDuration(linkage: "resident-query", outcome: "ok", seconds: seconds)
        }
        let text = metrics.exposition(gauges: [])
        let buckets = text.split(separator: "\n").filter { $0.hasPrefix("renkei_query_duration_seconds_bucket{") }
        let bounds = buckets.map { line -> Double in
            let le = line.split(separator: "le=\"")[1].prefix { $0 != "\"" }
            return le == "+Inf" ? .infinity : Double(le)!
        }
        let counts = buckets.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        #expect(bounds.count == GatewayMetrics.latencyBuckets.count + 1)
        #expect(bounds == bounds.sorted())
        #expect(counts == counts.sorted())
        #expect(counts.first == 1 && counts.last == 5)
        #expect(text.contains("renkei_query_duration_seconds_count{linkage=\"resident-query\",outcome=\"ok\"} 5"))
    }

    @Test func aGaugeNoLongerReportedLeavesTheExposition() {
        let metrics = GatewayMetrics()
        let both = metrics.exposition(gauges: [
            ("renkei_receiver_lag", [("linkage", "resident-change"), ("receiver", "017")], 4),
            ("renkei_receiver_lag", [("linkage", "resident-change"), ("receiver", "018")], 2),
        ])
        #expect(both.contains(#"renkei_receiver_lag{linkage="resident-change",receiver="018"} 2.0"#))
        let one = metrics.exposition(gauges: [
            ("renkei_receiver_lag", [("linkage", "resident-change"), ("receiver", "017")], 5)
        ])
        #expect(one.contains(#"renkei_receiver_lag{linkage="resident-change",receiver="017"} 5.0"#))
        #expect(!one.contains(#"receiver="018""#))
    }

    @Test func everyFamilyHasItsHelpLineBeforeItsType() {
        let metrics = GatewayMetrics()
        metrics.pushAttempt(
            linkage: "resident-change", receiver: "017", outcome: "delivered", duration: .milliseconds(3))
        let text = metrics.exposition(gauges: [("renkei_kafka_clients_open", [], 3)])
        let lines = text.split(separator: "\n").map(String.init)
        for (index, line) in lines.enumerated() where line.hasPrefix("# TYPE ") {
            let name = line.split(separator: " ")[2]
            #expect(index > 0 && lines[index - 1].hasPrefix("# HELP \(name) "), "\(line)")
        }
        #expect(lines.contains("# TYPE renkei_push_attempts_total counter"))
        #expect(lines.contains("renkei_kafka_clients_open 3.0"))
    }
}
