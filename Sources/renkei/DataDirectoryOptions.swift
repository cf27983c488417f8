import ArgumentParser
import Foundation

/// `--data-dir`: where an instance keeps its local state (the history index), shared by `serve` and the commands
/// that read the history.
struct DataDirectoryOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Directory of the history index (history.sqlite), created when missing; default ./.renkei (or "
                + "RENKEI_DATA_DIR). `serve` and commands on the same machine may share it.", valueName: "directory"))
    var dataDir: String?

    var path: String {
        dataDir ?? ProcessInfo.processInfo.environment["RENKEI_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "./.renkei"
    }
}
