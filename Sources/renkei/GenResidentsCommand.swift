import ArgumentParser
import RenkeiCodec
import RenkeiContracts
import RenkeiSynthetic

/// `renkei gen residents`: invented 住民記録 records, the same for the same seed.
struct GenResidentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "residents",
        abstract: "Write synthetic resident records (住民記録) as CSV or JSON Lines.",
        discussion: """
            Names with katakana readings, households sharing addresses, foreign residents, codes from the code \
            tables, and a few edge cases (variation selectors, maximum lengths, quotes and commas in 住所_方書, the \
            unknown birth date 0000-00-00). All records are valid against the layout.
            """
    )

    @Option(help: "How many records.")
    var count: Int = 1000

    @Option(help: "The seed: the same seed gives the same records.")
    var seed: UInt64 = 1

    @Option(help: "Output format: csv or jsonl.")
    var format: RecordFormatArgument = .csv

    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: "The layout, `id` or `id@version`.")
    var layout: String = "resident-record"

    @OptionGroup var contracts: ContractsOptions

    func run() async throws {
        guard let layout = try contracts.load().layout(named: layout) else {
            throw usageFailure("no layout \(self.layout) in \(contracts.contracts)")
        }
        try SyntheticExport.write(layout: layout, count: count, seed: seed, format: format.format, output: output)
    }
}

/// Generates records in batches and encodes them with the codec.
enum SyntheticExport {
    static func write(layout: Layout, count: Int, seed: UInt64, format: RecordFormat, output path: String?) throws {
        let output = try RecordOutput(path: path)
        let schema = RecordSchema(layout: layout)
        var generator = ResidentGenerator(layout: layout, seed: seed)
        var converter = RecordConverter(projection: Projection(all: layout), format: format)
        let writer = ByteWriter(capacity: RecordOutput.flushThreshold * 2)
        var remaining = count
        while remaining > 0 {
            var batch = RecordBatch(schema: schema)
            for _ in 0..<min(remaining, 10_000) { batch.append(values: generator.next()) }
            remaining -= batch.count
            converter.convert(batch, into: writer)
            try output.flush(writer)
        }
        converter.finish(into: writer)
        try output.flush(writer, force: true)
        try output.close()
    }
}
