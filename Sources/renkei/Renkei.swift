import ArgumentParser

/// `renkei`: the command line of the Renkei data-linkage bus.
@main
struct Renkei: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "renkei",
        abstract: "Renkei: the in-office data-linkage bus (庁内データ連携機能) on Apache Kafka.",
        discussion: """
            Contracts in a folder (default: ./contracts) say which systems exist, what their data looks like \
            (layouts, データ要件) and who may receive which items (linkages, 連携要件). Start with \
            `renkei contract lint` and `renkei contract show resident-change`.
            """,
        version: RenkeiVersion.current,
        subcommands: [
            DemoCommand.self, ServeCommand.self, ContractCommand.self, GenCommand.self, ConformCommand.self,
            ConvertCommand.self, DeadLetterCommand.self, FilesCommand.self, HistoryCommand.self, TopicsCommand.self,
        ]
    )
}

enum RenkeiVersion {
    static let current = "0.1.0"
}
