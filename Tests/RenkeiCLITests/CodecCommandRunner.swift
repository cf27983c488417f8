import Foundation

/// Runs the built `renkei` binary for the codec commands' tests (gen, conform, convert).
enum CodecCommandRunner {
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    static let repositoryRoot = CLIRunner.repositoryRoot.path

    static let contracts = repositoryRoot + "/contracts"

    static func run(_ arguments: [String]) throws -> Result {
        let result = try CLIRunner.run(arguments)
        return Result(status: result.status, stdout: result.stdoutData, stderr: result.stderr)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
