import ArgumentParser
import RenkeiCodec
import RenkeiContracts

/// `renkei convert`: CSV ↔ JSON Lines for a layout, validating every record on the way.
struct ConvertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert records between CSV and JSON Lines, validating them.",
        discussion: """
            Valid records are written in layout order (optionally only a receiver's items with --linkage and \
            --receiver); invalid ones are skipped and summarised on standard error, as are records holding a \
            character that --output-encoding cannot hold. Exits with 0 when every record was written, 1 when \
            some were skipped, 2 on unusable input (a file evidently in another encoding than --encoding among \
            it).
            """
    )

    @Option(help: "The layout, `id` or `id@version`.")
    var layout: String

    @Argument(help: ArgumentHelp("The input file (`-` for standard input).", valueName: "file"))
    var file: String

    @Option(help: "Input format, csv or jsonl (default: from the file extension).")
    var from: RecordFormatArgument?

    @Option(help: "Output format, csv or jsonl.")
    var to: RecordFormatArgument

    @Option(help: "The input's encoding: utf-8, cp932 (Windows-31J) or shift_jis (JIS X 0208 only).")
    var encoding: TextEncodingArgument = TextEncodingArgument(argument: "utf-8")!

    @Option(help: "The output's encoding: utf-8, cp932 or shift_jis.")
    var outputEncoding: TextEncodingArgument = TextEncodingArgument(argument: "utf-8")!

    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: "CSV header: item names or field keys.")
    var header: HeaderStyleArgument = .names

    @Option(help: "Write only the items this linkage's receiver gets (with --receiver).")
    var linkage: String?

    @Option(help: "The receiving system of --linkage.")
    var receiver: String?

    @OptionGroup var contracts: ContractsOptions

    func run() async throws {
        let contracts = try self.contracts.load()
        guard let layout = contracts.layout(named: layout) else {
            throw usageFailure("no layout \(self.layout) in \(self.contracts.contracts)")
        }
        guard let input = from?.format ?? RecordFormat(path: file) else {
            throw usageFailure("cannot tell the format of \(file): use --from csv|jsonl")
        }
        var projection = Projection(all: layout)
        if linkage != nil || receiver != nil {
            guard let linkage, let receiver, let projected = contracts.projection(linkage: linkage, receiver: receiver),
                projected.layout == layout
            else { throw usageFailure("no receiver \(receiver ?? "?") of linkage \(linkage ?? "?") for this layout") }
            projection = projected
        }
        let summary = try ConversionRun.run(
            path: file, input: input, encoding: encoding.encoding, projection: projection, output: output,
            format: to.format, outputEncoding: outputEncoding.encoding, header: header.style)
        if summary.skipped > 0 { throw ExitCode(1) }
    }
}

/// Streams the input through decoder, validation and converter into the output.
enum ConversionRun {
    static func run(
        path: String, input: RecordFormat, encoding: TextEncoding = .utf8, projection: Projection, output: String?,
        format: RecordFormat, outputEncoding: TextEncoding = .utf8, header: CSVRecordEncoder.HeaderStyle
    ) throws -> RecordConverter {
        let out = try RecordOutput(path: output)
        let schema = RecordSchema(layout: projection.layout)
        var converter = RecordConverter(
            projection: projection, format: format, headerStyle: header, outputEncoding: outputEncoding)
        var checker = ConformanceChecker(schema: schema, errorLimit: 10)
        var progress = ProgressPrinter(command: "convert")
        let writer = ByteWriter(capacity: RecordOutput.flushThreshold * 2)
        let streamErrors: [RecordError]
        do {
            streamErrors = try input.decodeFile(
                path: path, schema: schema, encoding: encoding, progress: { progress.update($0) }
            ) { batch in
                checker.add(batch)
                converter.convert(batch, into: writer)
                try out.flush(writer)
            }
        } catch let error as FileReadError {
            throw usageFailure(error.description)
        } catch let error as EncodingMismatch {
            throw usageFailure(error.commandLineMessage)
        }
        converter.finish(into: writer)
        try out.flush(writer, force: true)
        try out.close()
        let report = checker.finish(streamErrors: streamErrors)
        if !report.conforms {
            printError(report.text(layout: projection.layout, file: path))
        }
        if converter.unencodableCount > 0 {
            printError(
                "\(converter.unencodableCount) items cannot be written in \(outputEncoding.displayName) "
                    + "(\(ErrorReason.unencodable.summary)):")
            for error in converter.encodingErrors { printError("  " + error.description(in: projection.layout)) }
        }
        if converter.skipped > 0 {
            printError("convert: wrote \(converter.written) records, skipped \(converter.skipped) invalid")
        }
        return converter
    }
}
