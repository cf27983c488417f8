import Foundation
import RenkeiTestSupport

/// Moving records through a gateway under a fault and entering what happened into a ``DeliveryLedger``.
enum FaultRecords {
    /// Provides `record` alone and enters the answer: 201 acknowledged (with its event id), an error status
    /// unacknowledged, no answer at all unanswered.
    static func provide(
        _ record: [UInt8], harness: GatewayHarness, token: String, into ledger: inout DeliveryLedger
    ) async {
        let key = Residents.key(record)
        do {
            let reply = try await harness.call(
                .POST, "/linkages/resident-change/records", token: token, contentType: "application/json",
                body: record)
            let id = (reply.json["eventIDs"] as? [String])?.first
            ledger.submitted(key: key, eventID: id, reply.status == 201 ? .acknowledged : .unacknowledged)
        } catch {
            ledger.submitted(key: key, .unanswered)
        }
    }

    /// Enters every record of `receiver`'s pull feed, once the feed holds at least `expected` records (or 20 s
    /// passed; then the ledger shows what is missing).
    static func readFeed(
        _ harness: GatewayHarness, receiver: String, expected: Int, into ledger: inout DeliveryLedger
    ) async throws {
        let token = try await harness.token("sys-\(receiver.lowercased())")
        var records: [[String: Any]] = []
        _ = try await eventually {
            records = try await harness.readFeed("resident-change", token: token, limit: 1000).records
            return records.count >= expected
        }
        for record in records {
            let data = record["data"] as? [String: Any] ?? [:]
            ledger.delivered(
                to: receiver, key: data["atena_number"] as? String ?? "", eventID: record["id"] as? String)
        }
    }

    /// Enters every record the webhook took for `receiver`, once it took every key in `expected` (or 20 s passed).
    static func readWebhook(
        _ webhook: ScriptedWebhook, receiver: String, expected: Set<String>, into ledger: inout DeliveryLedger
    ) async throws {
        _ = try await eventually {
            expected.isSubset(of: Set(webhook.taken.compactMap { $0.headers["ce-subject"] }))
        }
        for request in webhook.taken {
            ledger.delivered(to: receiver, key: request.headers["ce-subject"] ?? "", eventID: request.headers["ce-id"])
        }
    }
}
