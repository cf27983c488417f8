import ArgumentParser
import RenkeiContracts

struct ContractSchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (2020-12) of a layout, or of what one receiver gets from a linkage.",
        discussion: "LAYOUT is `id` (the newest version) or `id@version`."
    )

    @OptionGroup var options: ContractsOptions

    @Argument(help: ArgumentHelp("The layout, `id` or `id@version`.", valueName: "layout"))
    var layout: String

    @Option(help: ArgumentHelp("Only the items this receiving system gets (needs --linkage).", valueName: "system"))
    var receiver: String?

    @Option(help: ArgumentHelp("The linkage the receiver gets the layout through.", valueName: "id"))
    var linkage: String?

    func validate() throws {
        if (receiver == nil) != (linkage == nil) {
            throw ValidationError("--receiver and --linkage go together: a receiver's items depend on the linkage.")
        }
    }

    func run() async throws {
        let contracts = try options.load()
        guard let layout = contracts.layout(named: self.layout) else {
            throw usageFailure(
                "There is no layout `\(self.layout)`; known layouts: "
                    + contracts.layouts.map { "\($0.reference)" }.joined(separator: ", ") + ".")
        }
        guard let receiverID = receiver, let linkageID = linkage else {
            print(JSONSchemaExporter.schema(of: layout).serialized(pretty: true))
            return
        }
        guard let linkage = contracts.linkage(linkageID) else {
            throw usageFailure("There is no linkage `\(linkageID)`.")
        }
        guard linkage.layout == layout.reference else {
            throw usageFailure(
                "The linkage `\(linkageID)` carries layout `\(linkage.layout)`, not `\(layout.reference)`.")
        }
        guard let entry = linkage.receiver(receiverID),
            let projection = contracts.projection(linkage: linkageID, receiver: receiverID)
        else {
            throw usageFailure(
                "The system `\(receiverID)` is not a receiver of linkage `\(linkageID)`; receivers: "
                    + linkage.receivers.map(\.system).joined(separator: ", ") + ".")
        }
        print(JSONSchemaExporter.schema(of: projection, linkage: linkage, receiver: entry).serialized(pretty: true))
    }
}
