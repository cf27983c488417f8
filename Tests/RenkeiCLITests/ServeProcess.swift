import Foundation
import Synchronization

/// A `renkei serve` (or another long-running command) in the background, as an operator starts it, with its
/// standard error collected — and its standard output too with `withOutput`.
final class ServeProcess {
    private let process: Process
    private let collected: CollectedText

    init(
        _ arguments: [String], environment: [String: String] = [:], command: String = "serve",
        withOutput: Bool = false
    ) throws {
        let process = Process()
        process.executableURL = CLIRunner.executable
        process.arguments = [command] + arguments
        process.currentDirectoryURL = CLIRunner.repositoryRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let err = Pipe()
        process.standardError = err
        let collected = CollectedText()
        err.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            collected.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        if withOutput {
            let out = Pipe()
            process.standardOutput = out
            out.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                collected.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        self.process = process
        self.collected = collected
        try process.run()
    }

    /// What it printed to standard error so far.
    var stderr: String { collected.text.withLock { $0 } }

    /// Waits until standard error contains `text`; `false` when the process ends first or `timeout` passes.
    func waitFor(_ text: String, timeout: Duration = .seconds(60)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if stderr.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Sends SIGTERM and waits for the exit status (at most `timeout`, then SIGKILL and -1).
    func terminate(timeout: Duration = .seconds(30)) async throws -> Int32 {
        if process.isRunning { process.terminate() }
        return try await wait(timeout: timeout)
    }

    /// Kills it with SIGKILL, as a crash or the OOM killer would: nothing is flushed, committed or closed.
    func killAbruptly() async throws -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        return try await wait(timeout: .seconds(10))
    }

    /// The port the gateway listens on, from its `gateway listening` line (`renkei.address=host:port`).
    var listeningPort: Int? {
        guard let line = stderr.split(separator: "\n").first(where: { $0.contains("gateway listening") }),
            let address = line.split(separator: " ").first(where: { $0.hasPrefix("renkei.address=") })
        else { return nil }
        return address.split(separator: ":").last.flatMap { Int($0) }
    }

    /// Waits for the process to end by itself.
    func wait(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                return -1
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .milliseconds(200))  // the last of standard error
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Text appended from a pipe's reader thread and read by the test.
private final class CollectedText: Sendable {
    let text = Mutex<String>("")
}
