import Foundation

/// Runs the built `renkei` executable as a user would and captures what it prints.
enum CLIRunner {
    struct Result {
        var status: Int32
        var stdoutData: Data
        var stderr: String
        var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    }

    /// The repository root, where `contracts/` and `docs/` are.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `renkei` binary next to the test bundle (SwiftPM builds it because the test target depends on it).
    static var executable: URL {
        var directory = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("renkei")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return Bundle.main.bundleURL.appendingPathComponent("renkei")
    }

    static func run(
        _ arguments: [String], in directory: URL = repositoryRoot, input: Data? = nil,
        environment: [String: String] = [:]
    ) throws -> Result {
        try runProcess(executable, arguments, in: directory, input: input, environment: environment)
    }

    static func runProcess(
        _ program: URL, _ arguments: [String], in directory: URL = repositoryRoot, input: Data? = nil,
        environment: [String: String] = [:]
    )
        throws -> Result
    {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe()
        let err = Pipe()
        let stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        // Read both pipes before waiting, so a large output cannot fill a pipe and block the child.
        let errReader = Thread.detachNewThreadWithResult { err.fileHandleForReading.readDataToEndOfFile() }
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdoutData: stdoutData,
            stderr: String(decoding: errReader.wait(), as: UTF8.self))
    }

    /// A copy of the sample contracts in a temporary folder, for tests that break them.
    static func copyOfSampleContracts() throws -> URL {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-contracts-\(UUID())")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("contracts"), to: target)
        return target
    }
}

extension Thread {
    /// Runs `body` on a new thread; `wait()` returns its result.
    fileprivate static func detachNewThreadWithResult(_ body: @escaping @Sendable () -> Data) -> ThreadResult {
        let result = ThreadResult()
        Thread.detachNewThread { result.set(body()) }
        return result
    }
}

/// A value handed from one thread to another; the condition lock guards `value`.
private final class ThreadResult: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Data?

    func set(_ data: Data) {
        condition.lock()
        value = data
        condition.signal()
        condition.unlock()
    }

    func wait() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value!
    }
}
