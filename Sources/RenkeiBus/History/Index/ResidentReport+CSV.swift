import Foundation

extension ResidentReport {
    /// The report as CSV (RFC 4180, CRLF line ends), a header row then one row per line, oldest first: `time`,
    /// `kind`, `linkage`, `provider`, `provider_name`, `receiver`, `receiver_name`, `purpose`, `items` (names where
    /// known, else keys, separated by `;`), `outcome`, `reason`, `transfer`, `in_key_list` (`true`/`false`),
    /// `contract`, `file`, `request_purpose`, `contract_version`, `operator` (who replayed, read a dead letter or looked
    /// the resident up).
    ///
    /// A field holding a comma, a double quote or a line break is quoted, its quotes doubled. A field that starts
    /// with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so that a spreadsheet shows it as
    /// text instead of running it as a formula: request purposes come from callers' headers, and an operator opens
    /// the report in Excel. `=cmd|' /C calc'!A0` is written `'=cmd|' /C calc'!A0`.
    public var csv: String {
        var rows = [
            [
                "time", "kind", "linkage", "provider", "provider_name", "receiver", "receiver_name", "purpose",
                "items", "outcome", "reason", "transfer", "in_key_list", "contract", "file", "request_purpose",
                "contract_version", "operator",
            ]
        ]
        for line in lines {
            rows.append([
                Timestamp.format(line.time), line.kind.rawValue, line.linkage, line.provider?.id ?? "",
                line.provider?.name ?? "", line.receiver?.id ?? "", line.receiver?.name ?? "", line.purpose ?? "",
                line.items.map { $0.name ?? $0.key }.joined(separator: ";"), line.outcome, line.reason ?? "",
                line.transfer ?? "", line.inKeyList ? "true" : "false", line.contract ?? "", line.file ?? "",
                line.requestPurpose ?? "", line.contractVersion ?? "", line.operatorID ?? "",
            ])
        }
        return rows.map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// What makes a spreadsheet read a cell as a formula when it comes first.
    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
    /// What makes a field need quotes.
    private static let needsQuotes: Set<Unicode.Scalar> = [",", "\"", "\n", "\r"]

    /// One CSV field: guarded against formulas, then quoted when it holds a comma, quote or line break. Scalars,
    /// not characters: `"\r\n"` is one character, equal to neither `"\r"` nor `"\n"`.
    static func csvField(_ text: String) -> String {
        let guarded = text.unicodeScalars.first.map(formulaStarts.contains) == true ? "'" + text : text
        guard guarded.unicodeScalars.contains(where: needsQuotes.contains) else { return guarded }
        return "\"" + guarded.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
