import RenkeiBus
import RenkeiContracts

/// `renkei history report` as text, JSON and CSV.
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
            ])
        }
        return JSONValue.object([
            ("key", .string(report.key)), ("madeAt", .string(Timestamp.format(report.madeAt))),
            ("behind", report.behind.map { .integer(Int($0)) } ?? .null), ("entries", .array(lines)),
        ]).serialized(pretty: true)
    }

    static func csv(_ report: ResidentReport) -> String {
        var rows = [
            [
                "time", "kind", "linkage", "provider", "provider_name", "receiver", "receiver_name", "purpose",
                "items", "outcome", "reason", "transfer", "in_key_list", "contract", "file", "request_purpose",
                "contract_version",
            ]
        ]
        for line in report.lines {
            rows.append([
                Timestamp.format(line.time), line.kind.rawValue, line.linkage, line.provider?.id ?? "",
                line.provider?.name ?? "", line.receiver?.id ?? "", line.receiver?.name ?? "", line.purpose ?? "",
                line.items.map { $0.name ?? $0.key }.joined(separator: ";"), line.outcome, line.reason ?? "",
                line.transfer ?? "", line.inKeyList ? "true" : "false", line.contract ?? "", line.file ?? "",
                line.requestPurpose ?? "", line.contractVersion ?? "",
            ])
        }
        return rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// A CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
    private static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
