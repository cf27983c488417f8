import ArgumentParser
import RenkeiCodec

/// `renkei conform`: checks a system's export against a layout, as the conformance test (適合確認) does.
struct ConformCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conform",
        abstract: "Check a CSV or JSON Lines export against a layout.",
        discussion: """
            Reports the record count, valid and invalid counts, counts per reason code and the first errors with \
            record, line and item; values are never printed. Exits with 0 when every record conforms, 1 when not, \
            2 when the input is unusable (unknown layout, unreadable file, a file evidently in another encoding \
            than --encoding, which gets one error naming the encoding it looks like). Reason codes: docs/codec.md.
            """
    )

    @Option(help: "The layout, `id` or `id@version`.")
    var layout: String

    @Argument(help: ArgumentHelp("The export to check (`-` for standard input).", valueName: "file"))
    var file: String

    @Option(help: "Report format: text for people, json for tools.")
    var format: OutputFormat = .text

    @Option(name: .customLong("input-format"), help: "csv or jsonl (default: from the file extension).")
    var inputFormat: RecordFormatArgument?

    @Option(help: "The file's encoding: utf-8, cp932 (Windows-31J) or shift_jis (JIS X 0208 only).")
    var encoding: TextEncodingArgument = TextEncodingArgument(argument: "utf-8")!

    @Option(help: "How many errors the report lists (all are counted).")
    var maxErrors: Int = 100

    @OptionGroup var contracts: ContractsOptions

    func run() async throws {
        guard let layout = try contracts.load().layout(named: layout) else {
            throw usageFailure("no layout \(self.layout) in \(contracts.contracts)")
        }
        guard let input = inputFormat?.format ?? RecordFormat(path: file) else {
            throw usageFailure("cannot tell the format of \(file): use --input-format csv|jsonl")
        }
        var progress = ProgressPrinter(command: "conform")
        let report: ConformanceReport
        do {
            report = try ConformanceChecker.check(
                path: file, format: input, schema: RecordSchema(layout: layout), encoding: encoding.encoding,
                errorLimit: maxErrors
            ) { progress.update($0) }
        } catch let error as FileReadError {
            throw usageFailure(error.description)
        } catch let error as EncodingMismatch {
            throw usageFailure(error.commandLineMessage)
        }
        print(format == .json ? report.json(layout: layout, file: file) : report.text(layout: layout, file: file))
        if !report.conforms { throw ExitCode(1) }
    }
}
