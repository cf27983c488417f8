import AsyncHTTPClient
import Foundation
import Testing

/// `renkei demo` ends with the operator console: its URL printed, and the console open on the demo's data when asked.
@Suite(.serialized) struct DemoCommandTests {
    @Test func aScriptedDemoEndsByPrintingWhereTheConsoleIs() throws {
        let result = try CLIRunner.run(["demo", "--residents", "300", "--no-console"])
        #expect(result.status == 0, "\(result.stderr)")
        let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.contains("http://127.0.0.1:8080/console/"), "\(result.stdout.suffix(600))")
        #expect(last.contains("`ops`"))
    }

    @Test func theConsoleStaysOpenOnTheDemosDataUntilTerminated() async throws {
        let demo = try ServeProcess(
            ["--residents", "300", "--console", "--console-port", "0"], command: "demo", withOutput: true)
        #expect(try await demo.waitFor("/console/ — sign in as", timeout: .seconds(120)), "\(demo.stderr)")
        let line = try #require(demo.stderr.split(separator: "\n").first { $0.contains("/console/ — sign in as") })
        let url = try #require(line.split(separator: " ").first { $0.hasPrefix("http://") }.map(String.init))
        let reply = try await HTTPClient.shared.execute(HTTPClientRequest(url: url + "sign-in"), timeout: .seconds(10))
        #expect(reply.status == .ok)
        let page = String(buffer: try await reply.body.collect(upTo: 1 << 20))
        #expect(page.contains(#"<form id="sign-in""#))
        #expect(try await demo.terminate() == 0, "\(demo.stderr)")
    }
}
