import RenkeiBus
import RenkeiContracts

/// `renkei history report` as text and JSON (CSV is ``ResidentReport/csv``, shared with the console).
enum ResidentReportRendering {
    static func text(_ report: ResidentReport) -> String {
        var lines = ["History of resident \(report.key) (made \(Timestamp.format(report.madeAt)))", ""]
        if report.lines.isEmpty { lines.append("The history holds no entry about this resident.") }
        for line in report.lines {
            var head = "\(Timestamp.format(line.time))  \(line.kind.rawValue)  \(line.linkage)"
            if line.provider != nil || line.receiver != nil {
                head += "  \(describe(line.provider)) → \(describe(line.receiver))"
            }
            lines.append(head)
            if let purpose = line.purpose { lines.append("    purpose:  \(purpose)") }
            if let purpose = line.requestPurpose { lines.append("    request:  \(purpose)") }
            if !line.items.isEmpty {
                lines.append("    items:    " + line.items.map { $0.name ?? $0.key }.joined(separator: "、"))
            }
            var outcome = line.outcome + (line.reason.map { " (\($0))" } ?? "")
            if let transfer = line.transfer {
                outcome += "; bulk transfer \(transfer)" + (line.inKeyList ? ", found in its key list" : "")
            } else if line.inKeyList {
                outcome += "; found in the provide's key list"
            }
            lines.append("    outcome:  \(outcome)")
            if let file = line.file { lines.append("    file:     \(file)") }
            if let operatorID = line.operatorID { lines.append("    operator: \(operatorID)") }
            if let contract = line.contract {
                lines.append("    contract: \(contract)" + (line.contractVersion.map { ", version \($0)" } ?? ""))
            }
        }
        lines.append("")
        lines.append("\(report.lines.count) entr\(report.lines.count == 1 ? "y" : "ies"). Values are never recorded.")
        if let behind = report.behind, behind > 0 {
            lines.append("The index was \(behind) offsets behind the history topic: newer entries may be missing.")
        }
        return lines.joined(separator: "\n")
    }

    private static func describe(_ system: ResidentReport.System?) -> String {
        guard let system else { return "-" }
        return system.name.map { "\(system.id) \($0)" } ?? system.id
    }

    static func json(_ report: ResidentReport) -> String {
        func system(_ system: ResidentReport.System?) -> JSONValue {
            guard let system else { return .null }
            return .object([("id", .string(system.id)), ("name", system.name.map(JSONValue.string) ?? .null)])
        }
        let lines = report.lines.map { line in
            JSONValue.object([
                ("time", .string(Timestamp.format(line.time))), ("kind", .string(line.kind.rawValue)),
                ("linkage", .string(line.linkage)), ("provider", system(line.provider)),
                ("receiver", system(line.receiver)), ("purpose", line.purpose.map(JSONValue.string) ?? .null),
                ("requestPurpose", line.requestPurpose.map(JSONValue.string) ?? .null),
                ("contract", line.contract.map(JSONValue.string) ?? .null),
                ("contractVersion", line.contractVersion.map(JSONValue.string) ?? .null),
                (
                    "items",
                    .array(
                        line.items.map {
                            .object([("key", .string($0.key)), ("name", $0.name.map(JSONValue.string) ?? .null)])
                        })
                ),
                ("outcome", .string(line.outcome)), ("reason", line.reason.map(JSONValue.string) ?? .null),
                ("transfer", line.transfer.map(JSONValue.string) ?? .null), ("inKeyList", .bool(line.inKeyList)),
                ("offset", .integer(Int(line.offset))), ("file", line.file.map(JSONValue.string) ?? .null),
                ("operator", line.operatorID.map(JSONValue.string) ?? .null),
            ])
        }
        return JSONValue.object([
            ("key", .string(report.key)), ("madeAt", .string(Timestamp.format(report.madeAt))),
            ("behind", report.behind.map { .integer(Int($0)) } ?? .null), ("entries", .array(lines)),
        ]).serialized(pretty: true)
    }
}
