import Foundation
import RenkeiBus
import RenkeiContracts

/// How the operator commands present dead letters, history entries and checks. Never prints record values
/// unless asked for them explicitly (`dlq show --values`).
enum OperatorRendering {
    static func table(_ letters: [DeadLetter]) -> String {
        guard !letters.isEmpty else { return "No dead letters." }
        var lines = letters.map { letter in
            [
                letter.reference.description, letter.stage, letter.reasons.joined(separator: ","),
                letter.receiver ?? "-", letter.row.map { "row \($0)" } ?? "-",
                letter.lastFailure.map(Timestamp.format) ?? "-", letter.message,
            ].joined(separator: "  ")
        }
        lines.append("\(letters.count) dead letter\(letters.count == 1 ? "" : "s").")
        return lines.joined(separator: "\n")
    }

    static func json(_ letters: [DeadLetter]) -> String {
        JSONValue.array(letters.map(letterJSON)).serialized(pretty: true)
    }

    private static func letterJSON(_ letter: DeadLetter) -> JSONValue {
        .object([
            ("reference", .string(letter.reference.description)), ("stage", .string(letter.stage)),
            ("reasons", .array(letter.reasons.map(JSONValue.string))), ("message", .string(letter.message)),
            ("attempts", .integer(letter.attempts)), ("linkage", optional(letter.linkage)),
            ("receiver", optional(letter.receiver)), ("eventId", optional(letter.envelope?.id)),
            ("row", letter.row.map(JSONValue.integer) ?? .null),
            ("originalTopic", optional(letter.originalTopic)),
            ("originalPartition", letter.originalPartition.map { .integer(Int($0)) } ?? .null),
            ("originalOffset", letter.originalOffset.map { .integer(Int($0)) } ?? .null),
            ("firstFailure", optional(letter.firstFailure.map(Timestamp.format))),
            ("lastFailure", optional(letter.lastFailure.map(Timestamp.format))),
        ])
    }

    static func detail(_ letter: DeadLetter, value: (text: String, access: DeadLetterAccess)?) -> String {
        var lines = [
            "dead letter  \(letter.reference)",
            "stage        \(letter.stage)",
            "reasons      \(letter.reasons.joined(separator: ", "))",
            "message      \(letter.message)",
            "attempts     \(letter.attempts)",
        ]
        if let envelope = letter.envelope {
            lines += [
                "linkage      \(envelope.linkage)", "event id     \(envelope.id)", "source       \(envelope.source)",
                "receiver     \(envelope.receiver ?? "- (ingest: every receiver)")",
            ]
        }
        if let row = letter.row { lines.append("input row    \(row)") }
        if let topic = letter.originalTopic {
            lines.append("original     \(topic)/\(letter.originalPartition ?? -1)/\(letter.originalOffset ?? -1)")
        }
        if let first = letter.firstFailure { lines.append("first failed \(Timestamp.format(first))") }
        if let last = letter.lastFailure { lines.append("last failed  \(Timestamp.format(last))") }
        if let value {
            lines.append("record       \(value.text)")
            if value.access == .masked { lines.append("             (personal items and 個人番号 masked: ***)") }
        } else {
            lines.append("record       (\(letter.value.count) bytes of personal data; --values prints them)")
        }
        return lines.joined(separator: "\n")
    }

    static func replay(_ outcome: ReplayOutcome) -> String {
        let reference = outcome.letter.reference
        switch outcome.result {
        case .delivered(let receivers):
            let to = receivers.joined(separator: ", ")
            return outcome.performed
                ? "Replayed \(reference) to \(to) with event id \(outcome.letter.envelope?.id ?? "?"); recorded in the history."
                : "Dry run: \(reference) passes validation and would go to \(to). Run again with --execute to replay it."
        case .stillInvalid(let reasons):
            return "\(reference) still fails validation (\(reasons.joined(separator: ", "))) against the current "
                + "contracts; nothing was sent."
        case .alreadyReplayed(let time):
            return
                "\(reference) was already replayed at \(Timestamp.format(time)); nothing was sent. Use --force to replay it again."
        }
    }

    static func table(_ page: HistoryPage) -> String {
        var lines = page.items.map { item in
            let entry = item.entry
            return [
                Timestamp.format(entry.time), entry.kind.rawValue, entry.linkage, entry.provider ?? "-",
                "→ \(entry.receiver ?? "-")", "\(entry.recordCount) record\(entry.recordCount == 1 ? "" : "s")",
                entry.outcome + (entry.reason.map { " (\($0))" } ?? ""),
                entry.transfer.map { "transfer \($0)" } ?? "", item.foundInKeyList ? "(found in its key list)" : "",
                entry.deadLetter.map { "dead letter \($0)" } ?? "", entry.operatorID.map { "by operator \($0)" } ?? "",
                entry.contractVersion.map { "contract \($0)" } ?? "",
                entry.requestPurpose.map { "request purpose: \($0)" } ?? "",
            ].filter { !$0.isEmpty }.joined(separator: "  ")
        }
        lines.append(
            page.items.isEmpty
                ? "No history entries."
                : "\(page.items.count) entr\(page.items.count == 1 ? "y" : "ies"), newest first.")
        if let next = page.next { lines.append("More: --cursor \(next.text)") }
        if let behind = page.behind, behind > 0 {
            lines.append("The index is \(behind) offsets behind the history topic; newer entries may be missing.")
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ page: HistoryPage) -> String {
        let entries = page.items.map { item in
            var text = String(decoding: item.entry.serialized(), as: UTF8.self)
            text.removeLast()
            return text + #","offset":\#(item.offset),"foundInKeyList":\#(item.foundInKeyList)}"#
        }
        return JSONValue.object([
            ("next", page.next.map { .string($0.text) } ?? .null),
            ("indexedThrough", .integer(Int(page.indexedThrough))),
            ("behind", page.behind.map { .integer(Int($0)) } ?? .null),
        ]).serialized(pretty: false).dropLast() + #","entries":["# + entries.joined(separator: ",\n") + "]}"
    }

    static func verification(_ report: HistoryVerification.Report) -> String {
        // Retention is not tampering: said apart, and does not fail the check.
        let expired = report.expired.map {
            "retention: \($0) (the topic now starts at offset \(report.retainedFrom); their links cannot be checked)"
        }
        // From a checkpoint, what came before it was checked by an earlier run, not this one.
        let scope =
            report.verifiedFrom.map { " (verified from checkpoint at offset \($0); older entries not read)" } ?? ""
        let entries = "\(report.entries) entr\(report.entries == 1 ? "y" : "ies")"
        if report.isIntact {
            return
                (expired
                + [
                    "History intact: \(entries) in \(report.chains) chain\(report.chains == 1 ? "" : "s"), "
                        + "every hash and link checked\(expired.isEmpty ? "" : " from the oldest retained entry")\(scope)."
                ]).joined(separator: "\n")
        }
        let listed =
            report.problemCount > report.problems.count ? " (the first \(report.problems.count) listed)" : ""
        return
            (expired + report.problems.map { "problem: \($0)" }
            + ["History NOT intact: \(report.problemCount) problem(s)\(listed) in \(entries)\(scope)."])
            .joined(separator: "\n")
    }

    private static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
}
