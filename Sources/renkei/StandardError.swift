import ArgumentParser
import Foundation

/// Writes a line to standard error: diagnostics and progress go there, results to standard output.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// For a request the contracts cannot answer (an unknown layout, linkage or receiver): prints `message` to
/// standard error and returns exit code 2, "unusable input", to throw.
func usageFailure(_ message: String) -> ExitCode {
    printError("error: " + message)
    return ExitCode(2)
}
