import ArgumentParser

struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "The topic plan: every Kafka topic Renkei uses with its partitions, replication and retention.",
        discussion: """
            `plan` prints it, `apply` creates the topics a cluster lacks, `check` compares a cluster with it. \
            Settings come from the flags below or RENKEI_* variables; docs/operations.md explains each.
            """,
        subcommands: [TopicsPlanCommand.self, TopicsApplyCommand.self, TopicsCheckCommand.self]
    )
}
