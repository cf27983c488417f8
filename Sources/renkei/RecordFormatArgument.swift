import ArgumentParser
import Foundation
import RenkeiCodec
import RenkeiContracts

/// `csv` or `jsonl` on the command line.
enum RecordFormatArgument: String, ExpressibleByArgument, CaseIterable {
    case csv
    case jsonl

    var format: RecordFormat { self == .csv ? .csv : .jsonl }
}

/// `names` or `keys`: what a CSV header names the columns by.
enum HeaderStyleArgument: String, ExpressibleByArgument, CaseIterable {
    case names
    case keys

    var style: CSVRecordEncoder.HeaderStyle { self == .names ? .names : .keys }
}

/// Where a record command writes: a file, or standard output. Flushes a `ByteWriter` when it holds a chunk's worth.
final class RecordOutput {
    private let handle: FileHandle
    private let closes: Bool
    static let flushThreshold = 1 << 20

    init(path: String?) throws {
        guard let path, path != "-" else {
            handle = .standardOutput
            closes = false
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw usageFailure("cannot create \(path)")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        closes = true
    }

    /// Writes and clears `writer` when it holds at least a chunk, or always when `force`.
    func flush(_ writer: ByteWriter, force: Bool = false) throws {
        guard force || writer.count >= RecordOutput.flushThreshold, writer.count > 0 else { return }
        try writer.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
        writer.clear()
    }

    func close() throws {
        if closes { try handle.close() }
    }
}

/// Prints a progress line to standard error about every 10% of a large file (64 MiB or more).
struct ProgressPrinter {
    let command: String
    private var nextReport = 0.1

    init(command: String) { self.command = command }

    mutating func update(_ progress: DecodingProgress) {
        guard let total = progress.totalBytes, total >= 64 << 20 else { return }
        let fraction = Double(progress.bytesRead) / Double(total)
        guard fraction >= nextReport else { return }
        printError("\(command): \(Int(fraction * 100))% (\(progress.records) records)")
        nextReport = (fraction * 10).rounded(.down) / 10 + 0.1
    }
}

/// `utf-8`, `cp932` or `shift_jis` (and their other names, e.g. `sjis`, `windows-31j`) on the command line.
struct TextEncodingArgument: ExpressibleByArgument {
    let encoding: TextEncoding

    init?(argument: String) {
        guard let encoding = TextEncoding(name: argument) else { return nil }
        self.encoding = encoding
    }

    static var allValueStrings: [String] { TextEncoding.allCases.map(\.rawValue) }
    var defaultValueDescription: String { encoding.rawValue }
}

extension EncodingMismatch {
    /// The one error a command prints for a file in another encoding than declared, with the option to use.
    var commandLineMessage: String {
        description + (likely.map { "; use --encoding \($0.rawValue)" } ?? "; convert it to UTF-8 or CP932 first")
    }
}
