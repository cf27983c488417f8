import Foundation
import Testing

/// docs/console.md names every page the console serves, as `METHOD /path`.
@Suite struct ConsoleDocumentationTests {
    @Test func everyConsoleRouteIsDocumented() async throws {
        let document = try String(
            contentsOf: URL(fileURLWithPath: GatewayHarness.contractsDirectory).deletingLastPathComponent()
                .appendingPathComponent("docs/console.md"),
            encoding: .utf8)
        try await GatewayHarness.with { harness in
            let console = try await harness.routes.filter { $0.contains(" /console") }.map {
                $0.hasSuffix(" /console") ? $0 + "/" : $0
            }
            #expect(console.count >= 15)
            let missing = console.filter { !document.contains("`\($0)") }
            #expect(missing.isEmpty, "docs/console.md lacks \(missing.sorted())")
        }
    }
}
