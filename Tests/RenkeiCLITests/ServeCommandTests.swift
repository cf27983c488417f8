import Foundation
import RenkeiTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `renkei serve` started, stopped and refused as an operator sees it: a separate process, its standard error.
@Suite(.serialized) struct ServeCommandTests {
    @Test func aPortInUseIsReportedFirstAndNothingStarts() throws {
        let listener = try Listener()
        let result = try CLIRunner.run(["serve", "--port", String(listener.port), "--host", "127.0.0.1"])
        #expect(result.status == 1)
        #expect(
            result.stderr.split(separator: "\n").first.map(String.init)
                == "renkei serve: port \(listener.port) on 127.0.0.1 is in use")
        #expect(!result.stderr.contains("EMBEDDED KAFKA"), "the embedded broker must not start: \(result.stderr)")
    }

    @Test func sigtermStopsCleanly() async throws {
        let serve = try ServeProcess(["--port", "0", "--instance", "sigterm-test"])
        #expect(try await serve.waitFor("gateway listening"), "\(serve.stderr)")
        let status = try await serve.terminate()
        #expect(status == 0, "\(serve.stderr)")
        let failures = Self.failureLines(serve.stderr)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        let notes = serve.stderr.components(separatedBy: "topic configs (retention, replication, min.insync.replicas)")
        #expect(notes.count == 2, "the embedded cluster's topic note, exactly once: \(serve.stderr)")
    }

    @Test func aSecondServeStartsOnTheEmbeddedClusterOfTheFirst() async throws {
        let first = try ServeProcess(["--port", "0", "--instance", "first"])
        #expect(try await first.waitFor("gateway listening"), "\(first.stderr)")
        let bootstrap = try #require(
            first.stderr.split(separator: "\n").first { $0.contains("can connect to: ") }?
                .components(separatedBy: "can connect to: ").last?.trimmingCharacters(in: .whitespaces))
        let second = try ServeProcess(["--port", "0", "--instance", "second", "--demo", "--brokers", bootstrap])
        let started = try await second.waitFor("gateway listening", timeout: .seconds(25))
        #expect(started, "\(second.stderr)")
        #expect(
            second.stderr.components(separatedBy: "embedded Kafka of another process").count == 2, "\(second.stderr)")
        #expect(try await second.terminate() == 0, "\(second.stderr)")
        #expect(try await first.terminate() == 0, "\(first.stderr)")
        #expect(Self.failureLines(second.stderr).isEmpty, "\(second.stderr)")
    }

    /// Lines of standard error that report an error: swift-log's `error`/`critical` levels, or librdkafka failures.
    private static func failureLines(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { line in
            line.contains(" error ") || line.contains(" critical ") || line.contains("ERROR")
                || line.lowercased().contains("fail") || line.contains("rdkafka")
        }
    }
}

/// A TCP socket listening on an ephemeral loopback port, closed on deinit.
private final class Listener {
    let descriptor: Int32
    let port: Int

    init() throws {
        (descriptor, port) = try LoopbackSocket.listen(backlog: 1)
    }

    deinit { close(descriptor) }
}
