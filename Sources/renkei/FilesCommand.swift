import ArgumentParser

struct FilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "File linkage (ファイル連携): write a receiver's file now, ingest a provider's inbox now.",
        discussion: """
            `renkei serve` does both on its own: files at each daily window (and for a window missed while it was \
            down, once at start), for event linkages whenever records arrived, and inboxes every few seconds. \
            These commands do one round by hand, for on-demand linkages and for operators. See docs/file-linkage.md.
            """,
        subcommands: [FilesDeliverCommand.self, FilesIngestCommand.self])
}
