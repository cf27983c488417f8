import ArgumentParser
import Foundation

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

/// The default bus instance name: this host's name, lowercased, letters, digits and `-` only.
enum InstanceName {
    static var hostDefault: String {
        let name = ProcessInfo.processInfo.hostName.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "-" }
        return name.isEmpty ? "renkei" : name
    }
}
