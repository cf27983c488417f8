import Foundation
import RenkeiBus
import RenkeiContracts

/// `renkei contract what-if` as text for an operator and JSON for pipelines.
enum WhatIfRendering {
    /// System names from the proposed contracts, else from the current ones.
    struct Names {
        var proposed: ContractSet
        var current: ContractSet?

        func system(_ id: String) -> String? { proposed.system(id)?.name ?? current?.system(id)?.name }
        func describe(_ id: String) -> String { system(id).map { "\(id) \($0)" } ?? id }
    }

    static func text(_ report: WhatIfReport, names: Names, proposed: String) -> String {
        var lines = [
            "What if the contracts in \(proposed) had applied from \(local(report.since)) "
                + "to \(report.until.map(local) ?? "now"):",
            "\(report.entries) history entr\(report.entries == 1 ? "y" : "ies") replayed "
                + "(indexed through offset \(report.indexedThrough)).",
            "",
        ]
        if !report.differs {
            lines.append("Nothing would have gone differently.")
            return lines.joined(separator: "\n")
        }
        for finding in report.findings {
            lines.append(tag(finding) + " " + headline(finding, names: names))
            if !finding.items.isEmpty {
                lines.append("    items:   " + finding.items.map(item).joined(separator: ", "))
            }
            let (from, to) = (local(finding.first), local(finding.last))
            let when = from == to ? " at \(from)" : "; from \(from) to \(to)"
            lines.append("    counted: " + counts(finding.counts) + when)
            if !finding.samples.isEmpty { lines.append("    keys:    " + finding.samples.joined(separator: ", ")) }
        }
        lines.append("")
        lines.append(
            "\(report.findings.count) finding\(report.findings.count == 1 ? "" : "s"). Keys are samples of record keys "
                + "(宛名番号); values are never recorded.")
        return lines.joined(separator: "\n")
    }

    /// `[mynumber]` and `[personal]` mark data that would newly have reached someone; `[more]` other additions;
    /// `[less]` what would not have happened.
    private static func tag(_ finding: WhatIfFinding) -> String {
        guard finding.kind.sends else { return "[less]" }
        switch finding.sensitivity {
        case .mynumber: return "[mynumber]"
        case .personal: return "[personal]"
        case .none: return "[more]"
        }
    }

    private static func headline(_ finding: WhatIfFinding, names: Names) -> String {
        let target = "\(finding.linkage) → \(finding.receiver.map(names.describe) ?? "-")"
        let system = finding.system.map(names.describe) ?? "-"
        let reason = finding.reason.map { " (\($0))" } ?? ""
        switch finding.kind {
        case .itemsSent: return "\(target): items that would have been sent"
        case .newReceiver: return "\(target): would have received (a new receiver)"
        case .wouldBeAccepted: return "\(finding.linkage): \(system) was refused\(reason) and would have been accepted"
        case .notDelivered: return "\(target): would not have received (no longer a receiver)"
        case .itemsWithheld: return "\(target): items that would have been withheld"
        case .wouldBeRefused: return "\(finding.linkage): \(system) would have been refused\(reason)"
        case .linkageRemoved: return "\(finding.linkage): the linkage is gone; none of this would have happened"
        }
    }

    private static func item(_ item: WhatIfFinding.Item) -> String {
        let name = item.name.map { "\($0) \(item.key)" } ?? item.key
        switch item.sensitivity {
        case .mynumber?: return name + " (mynumber)"
        case .personal?: return name + " (personal)"
        case Sensitivity.none?: return name
        case nil: return name + " (not in the contracts)"
        }
    }

    private static func counts(_ counts: WhatIfFinding.Counts) -> String {
        let parts = [
            (counts.records, "record", "records"), (counts.provides, "provide", "provides"),
            (counts.deliveries, "delivery", "deliveries"), (counts.queries, "query", "queries"),
            (counts.replays, "replay", "replays"), (counts.refusals, "refusal", "refusals"),
        ]
        return parts.filter { $0.0 > 0 }.map { "\($0.0) \($0.0 == 1 ? $0.1 : $0.2)" }.joined(separator: ", ")
    }

    /// A time in Asia/Tokyo, to the second, as operators read it.
    static func local(_ date: Date) -> String {
        var style = Date.ISO8601FormatStyle(timeZone: WhatIfTime.zone)
        style = style.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .colon)
        return style.format(date)
    }

    static func json(_ report: WhatIfReport, names: Names, proposed: String) -> String {
        func system(_ id: String?) -> JSONValue {
            guard let id else { return .null }
            return .object([("id", .string(id)), ("name", names.system(id).map(JSONValue.string) ?? .null)])
        }
        let findings: [JSONValue] = report.findings.map { finding in
            let counts = finding.counts
            return .object([
                ("kind", .string(finding.kind.rawValue)), ("sensitivity", .string(finding.sensitivity.rawValue)),
                ("linkage", .string(finding.linkage)), ("receiver", system(finding.receiver)),
                ("system", system(finding.system)), ("reason", finding.reason.map(JSONValue.string) ?? .null),
                (
                    "items",
                    .array(
                        finding.items.map { item in
                            .object([
                                ("key", .string(item.key)), ("name", item.name.map(JSONValue.string) ?? .null),
                                ("sensitivity", item.sensitivity.map { .string($0.rawValue) } ?? .null),
                            ])
                        })
                ),
                (
                    "counts",
                    .object([
                        ("records", .integer(counts.records)), ("provides", .integer(counts.provides)),
                        ("deliveries", .integer(counts.deliveries)), ("queries", .integer(counts.queries)),
                        ("replays", .integer(counts.replays)), ("refusals", .integer(counts.refusals)),
                    ])
                ),
                ("samples", .array(finding.samples.map(JSONValue.string))),
                ("first", .string(Timestamp.format(finding.first))), ("last", .string(Timestamp.format(finding.last))),
            ])
        }
        return JSONValue.object([
            ("proposed", .string(proposed)), ("since", .string(Timestamp.format(report.since))),
            ("until", report.until.map { .string(Timestamp.format($0)) } ?? .null),
            ("entries", .integer(report.entries)), ("indexedThrough", .integer(Int(report.indexedThrough))),
            ("differs", .bool(report.differs)), ("findings", .array(findings)),
        ]).serialized(pretty: true)
    }
}
