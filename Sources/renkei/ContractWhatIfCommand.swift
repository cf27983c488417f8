import ArgumentParser
import Foundation
import RenkeiBus
import RenkeiContracts

struct ContractWhatIfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "what-if",
        abstract: "Replay the history against proposed contracts: what would have gone differently.",
        discussion: """
            Walks the history index under --data-dir (brought up to the history topic's end first) from --since, \
            oldest first, and decides each provide, delivery, replay, query and refusal under the contracts in \
            NEW_DIR: submissions and queries that would have been refused, deliveries that would not have happened, \
            items that would have been sent or withheld, receivers that would have received, refusals that would \
            have been accepted — per linkage and receiver, with sample record keys (宛名番号), never values. \
            A date (2026-11-01) means midnight Asia/Tokyo; for --until, the end of that day. Exit codes: 0 nothing \
            would have differed, 3 something would have, 2 unusable input (a bad time, contracts that do not load).
            """)

    @Argument(help: ArgumentHelp("The proposed contract folder.", valueName: "new-dir"))
    var proposed: String

    @Option(help: ArgumentHelp("From this date (Asia/Tokyo) or RFC 3339 time.", valueName: "date"))
    var since: String

    @Option(help: ArgumentHelp("Up to this date (its end, Asia/Tokyo) or RFC 3339 time.", valueName: "date"))
    var until: String?

    @Option(help: "Output format: text for people, json for tools.")
    var format: OutputFormat = .text

    @Option(help: "Sample record keys per finding.")
    var samples = 5

    @Option(
        help: ArgumentHelp(
            "The contracts in force, for names of systems and items the proposal no longer has.", valueName: "dir"))
    var contracts: String?

    @OptionGroup var brokers: BrokerOptions
    @OptionGroup var dataDirectory: DataDirectoryOptions

    func run() async throws {
        guard let start = WhatIfTime.parse(since, endOfDay: false) else {
            throw usageFailure("--since takes a date such as 2026-11-01 or an RFC 3339 time, not `\(since)`.")
        }
        var end: Date?
        if let until {
            guard let parsed = WhatIfTime.parse(until, endOfDay: true) else {
                throw usageFailure("--until takes a date such as 2026-11-30 or an RFC 3339 time, not `\(until)`.")
            }
            guard parsed >= start else { throw usageFailure("--until is before --since.") }
            end = parsed
        }
        guard samples >= 0 else { throw usageFailure("--samples is 0 or more.") }
        let proposedSet = try Self.load(proposed)
        let currentSet = try contracts.map(Self.load)
        let indexer = try await syncedHistoryIndexer(brokers: brokers, dataDirectory: dataDirectory)
        let started = ContinuousClock.now
        let reported = LockedClock()
        let report = try await ContractWhatIf(proposed: proposedSet, current: currentSet, samples: samples).run(
            index: indexer.index, since: start, until: end
        ) { progress in
            guard ContinuousClock.now - started > .seconds(1), reported.due(every: .seconds(2)) else { return }
            printError("replaying the history: \(progress.entries) of \(progress.total) entries")
        }
        let names = WhatIfRendering.Names(proposed: proposedSet, current: currentSet)
        print(
            format == .json
                ? WhatIfRendering.json(report, names: names, proposed: proposed)
                : WhatIfRendering.text(report, names: names, proposed: proposed))
        if report.differs { throw ExitCode(3) }
    }

    /// A contract folder, or exit code 2 with every diagnostic (`file:line:column: error[code]: …`) on stderr.
    private static func load(_ directory: String) throws -> ContractSet {
        do {
            return try ContractLoader.load(directory: directory)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }
}

/// The times `what-if` takes: a calendar date in Asia/Tokyo, or an RFC 3339 time.
enum WhatIfTime {
    static let zone = TimeZone(identifier: "Asia/Tokyo")!

    /// `2026-11-01` is that day's midnight in Asia/Tokyo (with `endOfDay`, its last millisecond); anything else is
    /// read as RFC 3339.
    static func parse(_ text: String, endOfDay: Bool) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.map(\.count) == [4, 2, 2], let year = Int(parts[0]), let month = Int(parts[1]),
            let day = Int(parts[2])
        else { return Timestamp.parse(text) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar), let midnight = calendar.date(from: components) else { return nil }
        guard endOfDay else { return midnight }
        return calendar.date(byAdding: .day, value: 1, to: midnight).map { $0.addingTimeInterval(-0.001) }
    }
}
