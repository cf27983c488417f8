import ArgumentParser

/// `renkei gen`: synthetic data for tests, benchmarks and demos.
struct GenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen",
        abstract: "Generate synthetic, deterministic records.",
        subcommands: [GenResidentsCommand.self]
    )
}
