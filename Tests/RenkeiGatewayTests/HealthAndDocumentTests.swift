import Foundation
import Testing

@testable import RenkeiGateway

@Suite(.serialized) struct HealthAndDocumentTests {
    @Test func readinessIs503InMaintenanceAndDataRoutesAreRefused() async throws {
        try await GatewayHarness.with { harness in
            #expect(try await harness.call(.GET, "/health/live").status == 200)
            #expect(try await harness.call(.GET, "/health/ready").status == 200)
            let ops = try await harness.token("ops")
            let on = try await harness.call(
                .PUT, "/operations/maintenance", token: ops, contentType: "application/json",
                body: Array(#"{"enabled": true}"#.utf8))
            #expect(on.status == 200)
            #expect(try await harness.call(.GET, "/health/ready").status == 503)
            let receiver = try await harness.token("sys-018")
            let feed = try await harness.call(.GET, "/linkages/resident-change/feed", token: receiver)
            #expect(feed.status == 503)
            #expect(feed.json["code"] as? String == "maintenance")
            _ = try await harness.call(
                .PUT, "/operations/maintenance", token: ops, contentType: "application/json",
                body: Array(#"{"enabled": false}"#.utf8))
            #expect(try await harness.call(.GET, "/health/ready").status == 200)
            let metrics = try await harness.call(.GET, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains("# TYPE renkei_records_provided_total counter"))
            #expect(metrics.text.contains("# TYPE renkei_query_duration_seconds histogram"))
            let clients = metrics.text.split(separator: "\n").first { $0.hasPrefix("renkei_kafka_clients_open ") }
            #expect(
                (clients?.split(separator: " ").last.flatMap { Double($0) } ?? 0) >= 2, "producer and admin at least")
        }
    }

    @Test func aPathServedUnderOtherMethodsAnswers405WithAllow() async throws {
        try await GatewayHarness.with { harness in
            let records = try await harness.call(.DELETE, "/linkages/resident-change/records")
            #expect(records.status == 405)
            #expect(records.headers["Allow"].first == "POST")
            #expect(records.json["title"] as? String == "Method not allowed")
            #expect((records.json["detail"] as? String)?.contains("it allows POST") == true)
            let maintenance = try await harness.call(.GET, "/operations/maintenance")
            #expect(maintenance.status == 405)
            #expect(maintenance.headers["Allow"].first == "PUT")
            let files = try await harness.call(.DELETE, "/linkages/resident-register-daily/files")
            #expect(files.headers["Allow"].first == "GET, POST")
            let nowhere = try await harness.call(.GET, "/linkages/resident-change/nowhere")
            #expect(nowhere.status == 404)
            #expect(nowhere.headers["Allow"].isEmpty)
        }
    }

    /// Every route the router serves is in docs/openapi.yaml, and every documented operation is served. The
    /// console's pages are not an API: docs/console.md lists them (``ConsoleDocumentationTests``).
    @Test func openAPIDocumentsExactlyTheServedRoutes() async throws {
        try await GatewayHarness.with { harness in
            let served = Set(try await harness.routes).filter { !$0.contains(" /console") }
            let documented = try Self.documentedOperations()
            #expect(served.subtracting(documented).isEmpty, "undocumented: \(served.subtracting(documented).sorted())")
            #expect(documented.subtracting(served).isEmpty, "not served: \(documented.subtracting(served).sorted())")
            #expect(served.count >= 15)
        }
    }

    /// Every operation lists 431 (any request's head may be too large), and those that take a body, and only those,
    /// list 413.
    @Test func everyOperationDocumentsTheStatusesOfTheRequestLimits() throws {
        let operations = try Self.documentedResponses()
        #expect(operations.count >= 15)
        for (operation, document) in operations {
            #expect(document.statuses.contains("431"), "\(operation)")
            #expect(document.statuses.contains("413") == document.takesBody, "\(operation)")
        }
    }

    static func documentedOperations() throws -> Set<String> {
        Set(try documentedResponses().keys)
    }

    /// `METHOD /path` → the statuses its responses list and whether it has a request body, read from the document's
    /// layout (paths at 2 spaces, methods at 4, `requestBody` at 6, statuses at 8).
    static func documentedResponses() throws -> [String: (statuses: Set<String>, takesBody: Bool)] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var operations: [String: (statuses: Set<String>, takesBody: Bool)] = [:]
        var inPaths = false
        var current: String?
        var operation: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") {
                inPaths = true
                continue
            }
            if inPaths, let first = line.first, first != " ", first != "#" { inPaths = false }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                current = String(line.dropFirst(2).dropLast())
                operation = nil
            } else if let current, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "delete", "patch"].contains(String(method)) {
                    operation = "\(method.uppercased()) \(current)"
                    operations[operation!] = ([], false)
                }
            } else if let operation, line.hasPrefix("      requestBody:") {
                operations[operation]?.takesBody = true
            } else if let operation, line.hasPrefix("        \""), !line.hasPrefix("         ") {
                operations[operation]?.statuses.insert(String(line.dropFirst(9).prefix(3)))
            }
        }
        return operations
    }
}
