import Foundation
import Testing

@testable import RenkeiGateway

/// Requests docs/openapi.yaml calls invalid are refused, and those it calls valid are not: each case here is one
/// schemathesis found the server getting wrong (scripts/check-openapi.py).
@Suite(.serialized) struct DocumentedInputTests {
    @Test func aJSONBodyThatIsNotJSONIsUnreadableEvenWhereInvalidRecordsAreQuarantined() async throws {
        try await GatewayHarness.with { harness in
            let provider = try await harness.token("sys-001")
            // resident-register-daily quarantines invalid records; a body that is no JSON at all holds none.
            for body in ["\u{0}", "{\"atena_number\": ", "[{}, {"] {
                let reply = try await harness.call(
                    .POST, "/linkages/resident-register-daily/records", token: provider,
                    contentType: "application/json", body: Array(body.utf8))
                #expect(reply.status == 400, "\(body.debugDescription)")
                #expect(reply.json["code"] as? String == "unreadable-input", "\(body.debugDescription)")
                #expect(reply.json["accepted"] == nil)
            }
        }
    }

    @Test func maintenanceIsSwitchedOnlyByABoolean() async throws {
        try await GatewayHarness.with { harness in
            let operator_ = try await harness.token("ops")
            for body in [#"{"enabled": 1}"#, #"{"enabled": "true"}"#, #"{}"#] {
                let reply = try await harness.call(
                    .PUT, "/operations/maintenance", token: operator_, contentType: "application/json",
                    body: Array(body.utf8))
                #expect(reply.status == 400, "\(body)")
                #expect(reply.json["code"] as? String == "malformed-json", "\(body)")
            }
            #expect(try await harness.call(.GET, "/health/ready").status == 200)
        }
    }

    @Test func operatorQueryParametersThatAreGivenMustBeValid() async throws {
        try await GatewayHarness.with { harness in
            let operator_ = try await harness.token("ops")
            for path in [
                "/operations/dead-letters?until=", "/operations/history?since=",
                "/operations/history?since=yesterday",
            ] {
                let reply = try await harness.call(.GET, path, token: operator_)
                #expect(reply.status == 400, "\(path)")
                #expect(reply.json["code"] as? String == "invalid-parameter", "\(path)")
            }
            let replay = try await harness.call(
                .POST, "/operations/dead-letters/renkei.dlq.resident-change.017/0/0/replay?execute=ture",
                token: operator_)
            #expect(replay.status == 400)
            #expect((replay.json["detail"] as? String)?.contains("`execute` is true or false") == true)
        }
    }

    @Test func anEmptyFeedLimitIsRefusedAndAnEmptyCursorIsTheStart() async throws {
        try await GatewayHarness.with { harness in
            let receiver = try await harness.token("sys-018")
            for query in ["limit=", "wait=", "limit=0", "wait=31"] {
                let reply = try await harness.call(.GET, "/linkages/resident-change/feed?\(query)", token: receiver)
                #expect(reply.status == 400, "\(query)")
                #expect(reply.json["code"] as? String == "invalid-parameter", "\(query)")
            }
            let start = try await harness.call(.GET, "/linkages/resident-change/feed?cursor=&limit=5", token: receiver)
            #expect(start.status == 200)
            #expect(start.json["records"] is [Any])
        }
    }

    @Test func aTokenRequestUsingTwoClientAuthenticationMethodsIsRefused() async throws {
        try await GatewayHarness.with { harness in
            let credentials = Data("sys-001:\(GatewayHarness.demoSecret("sys-001"))".utf8).base64EncodedString()
            let reply = try await harness.call(
                .POST, "/oauth/token", contentType: "application/x-www-form-urlencoded",
                body: Array("grant_type=client_credentials&client_assertion_type=AAA&client_assertion=".utf8),
                headers: [("Authorization", "Basic \(credentials)")])
            #expect(reply.status == 400)
            #expect(reply.json["error"] as? String == "invalid_request")
            // Basic alone still works.
            #expect(try await harness.tokenRequest("sys-001").status == 200)
        }
    }
}
