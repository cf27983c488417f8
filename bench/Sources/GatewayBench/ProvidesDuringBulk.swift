import Foundation
import RenkeiContracts
import Synchronization

/// Single-record provides over HTTP while a bulk transfer uploads over HTTP: what a provider of resident changes
/// sees while another system sends the whole register. One client sends its provides one after another from the
/// moment the upload starts until the upload's 201 arrives; each provide is timed until its own 201.
enum ProvidesDuringBulk {
    static func run(client: Client, token: String, layout: Layout, records count: Int) async throws {
        let csv = Residents.csv(layout: layout, count: count, seed: 3)
        let singles = Residents.json(layout: layout, count: 20_000, seed: 13)
        let uploading = Atomic<Bool>(true)
        let start = ContinuousClock.now
        let upload = Task {
            defer { uploading.store(false, ordering: .relaxed) }
            return try await client.transfer("/linkages/resident-register-daily/transfers", token: token, csv: csv)
        }
        var latencies: [Double] = []
        var index = 0
        while uploading.load(ordering: .relaxed) {
            let begin = ContinuousClock.now
            _ = try await client.provide(
                "/linkages/resident-change/records", token: token, body: singles[index % singles.count])
            latencies.append(GatewayBench.elapsed(since: begin) * 1000)
            index += 1
        }
        let reply = try await upload.value
        let seconds = GatewayBench.elapsed(since: start)
        GatewayBench.report(
            "http-provide-1 during bulk", GatewayBench.Latencies(milliseconds: latencies, seconds: seconds))
        say(
            String(
                format: "  beside it: %d records uploaded over HTTP in %.2f s (HTTP %d, status %@, accepted %d)",
                count, seconds, reply.status, reply.state, reply.accepted))
    }
}
