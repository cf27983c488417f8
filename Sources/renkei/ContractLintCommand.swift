import ArgumentParser
import RenkeiContracts

struct ContractLintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check a contract folder and report every problem at once.",
        discussion: """
            Prints one line per problem, `file:line:column: error[code]: message`, and exits with 0 when the \
            contracts load, 1 when any error was found. Codes are listed in docs/contracts.md.
            """
    )

    @Argument(help: ArgumentHelp("The contract folder.", valueName: "dir"))
    var directory: String = "contracts"

    @Option(help: "Output format: text for people, json for tools.")
    var format: OutputFormat = .text

    func run() async throws {
        let report = ContractLoader.check(directory: directory)
        print(format == .json ? LintRendering.json(report, directory: directory) : LintRendering.text(report))
        if !report.errors.isEmpty { throw ExitCode(1) }
    }
}

enum LintRendering {
    static func text(_ report: ContractLoader.Report) -> String {
        var lines = report.diagnostics.map(\.description)
        let errors = report.errors.count
        let warnings = report.diagnostics.count - errors
        if let contracts = report.contracts {
            lines.append(
                "OK: "
                    + [
                        count(contracts.systems.count, "system"), count(contracts.codeTables.count, "code table"),
                        count(contracts.layouts.count, "layout"), count(contracts.linkages.count, "linkage"),
                    ].joined(separator: ", ")
                    + (warnings > 0 ? "; " + count(warnings, "warning") + "." : "; no problems found."))
        } else {
            lines.append(
                count(errors, "error") + (warnings > 0 ? " and " + count(warnings, "warning") : "")
                    + ": the contracts do not load.")
        }
        return lines.joined(separator: "\n")
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    static func json(_ report: ContractLoader.Report, directory: String) -> String {
        let diagnostics: [JSONValue] = report.diagnostics.map {
            .object([
                ("file", .string($0.location.file)), ("line", .integer($0.location.line)),
                ("column", .integer($0.location.column)), ("severity", .string($0.severity.rawValue)),
                ("code", .string($0.code.rawValue)), ("message", .string($0.message)),
            ])
        }
        return JSONValue.object([
            ("directory", .string(directory)), ("loads", .bool(report.contracts != nil)),
            ("errors", .integer(report.errors.count)),
            ("warnings", .integer(report.diagnostics.count - report.errors.count)),
            ("diagnostics", .array(diagnostics)),
        ]).serialized(pretty: true)
    }
}
