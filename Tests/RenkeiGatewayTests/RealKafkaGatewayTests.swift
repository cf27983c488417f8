import Foundation
import RenkeiTestSupport
import Testing

/// The gateway on a real Kafka cluster: a long poll over HTTP returns the records committed while it waited, and
/// the next page ends at once although the topic ends in a transaction marker. Set `RENKEI_KAFKA_BOOTSTRAP` to
/// run it; without it every test is skipped and says why.
@Suite(
    .serialized,
    .enabled(
        if: GatewayHarness.realKafkaBootstrap != nil,
        "RENKEI_KAFKA_BOOTSTRAP is not set: these tests need a real Kafka (the embedded mock writes no markers)")
)
struct RealKafkaGatewayTests {
    @Test func longPollReturnsCommittedRecordsAndTheNextPageEnds() async throws {
        try await GatewayHarness.with(realCluster: true) { harness in
            let receiver = try await harness.token("sys-018")
            let provider = try await harness.token("sys-001")
            // Catch up with whatever earlier runs left on the shared topic.
            var cursor = ""
            while true {
                let page = try await harness.call(
                    .GET, "/linkages/resident-change/feed?limit=1000&cursor=\(cursor)", token: receiver)
                #expect(page.status == 200)
                cursor = page.json["next"] as? String ?? ""
                if page.json["hasMore"] as? Bool != true { break }
            }
            let body = Residents.json(harness.bus.contracts, count: 1)[0]
            async let polled = harness.call(
                .GET, "/linkages/resident-change/feed?wait=20&cursor=\(cursor)", token: receiver)
            try await Task.sleep(for: .milliseconds(700))
            let provided = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json", body: body
            )
            #expect(provided.status == 201)
            let reply = try await polled
            #expect(reply.status == 200)
            #expect((reply.json["records"] as? [Any])?.count == 1)
            let next = reply.json["next"] as? String ?? ""
            let started = ContinuousClock.now
            let after = try await harness.call(.GET, "/linkages/resident-change/feed?cursor=\(next)", token: receiver)
            #expect(after.status == 200)
            #expect((after.json["records"] as? [Any])?.isEmpty == true)
            #expect(after.json["hasMore"] as? Bool == false)
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }
}
