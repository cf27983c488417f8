import ArgumentParser
import RenkeiBus

struct HistoryQueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "List history entries, newest first; --key answers \"who received what about resident R\".",
        discussion: """
            Answers come from the local history index under --data-dir, brought up to the history topic's end \
            first (a first run reads the whole topic, with progress on standard error). Bulk transfers and large \
            provides are found by key through their key lists. Prints one page; pass the printed cursor to \
            --cursor for the next.
            """)

    @OptionGroup var brokers: BrokerOptions
    @OptionGroup var dataDirectory: DataDirectoryOptions
    @Option(help: "Only this linkage.") var linkage: String?
    @Option(help: "Only entries where this system provided or received.") var system: String?
    @Option(help: "Only entries about this record key (宛名番号).") var key: String?
    @Option(help: "Only this kind: provide, delivery, refusal, dead-letter, replay, query, dead-letter-read.")
    var kind: String?
    @Option(help: "Only this outcome: ok, refused, quarantined, failed, replayed, timeout, expired, masked, unmasked.")
    var outcome: String?
    @Option(help: ArgumentHelp("Only since this time (RFC 3339).", valueName: "time")) var since: String?
    @Option(help: ArgumentHelp("Only until this time (RFC 3339).", valueName: "time")) var until: String?
    @Option(help: "Entries per page (1–1000).") var limit = 100
    @Option(help: "Continue after the page that printed this cursor.") var cursor: String?
    @Option(help: "Output format: text for people, json for tools.") var format: OutputFormat = .text

    func validate() throws {
        if let kind, HistoryEntry.Kind(rawValue: kind) == nil {
            throw ValidationError(
                "--kind is one of " + HistoryEntry.Kind.allCases.map(\.rawValue).joined(separator: ", ") + ".")
        }
        guard (1...HistoryQuery.maxLimit).contains(limit) else {
            throw ValidationError("--limit is from 1 to \(HistoryQuery.maxLimit).")
        }
        if let cursor, HistoryCursor(text: cursor) == nil {
            throw ValidationError("--cursor is not a cursor this command printed.")
        }
    }

    func run() async throws {
        let filter = HistoryFilter(
            linkage: linkage, system: system, key: key, kind: kind.flatMap(HistoryEntry.Kind.init), outcome: outcome,
            since: try parseTime(since, "--since"), until: try parseTime(until, "--until"))
        let indexer = try await syncedHistoryIndexer(brokers: brokers, dataDirectory: dataDirectory)
        let page = try await indexer.page(
            HistoryQuery(filter: filter, limit: limit, cursor: cursor.flatMap(HistoryCursor.init(text:))))
        print(format == .json ? OperatorRendering.json(page) : OperatorRendering.table(page))
    }
}
