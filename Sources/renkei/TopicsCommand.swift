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

/// `--instance`, naming the bus instances whose reply topics belong to the plan.
struct TopicInstanceOptions: ParsableArguments {
    @Option(
        name: .customLong("instance"),
        help: ArgumentHelp(
            "A bus instance whose reply topic to include (repeatable; as `renkei serve --instance`). Default: this "
                + "host's name, as serve's.", valueName: "name"))
    var instances: [String] = []

    var names: [String] { instances.isEmpty ? [InstanceName.hostDefault] : instances }
}
