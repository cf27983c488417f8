import RenkeiContracts

/// The text and JSON forms of a contract diff.
enum DiffRendering {
    static func text(_ diff: ContractDiff, old: String, new: String) -> String {
        var lines = ["contract diff: \(old) → \(new)"]
        if diff.isEmpty {
            lines.append("No changes.")
            return lines.joined(separator: "\n")
        }
        let growing = diff.entitlements.filter(\.grows)
        let shrinking = diff.entitlements.filter { !$0.grows }
        if !growing.isEmpty {
            lines.append("")
            lines.append("Entitlements that grow (\(growing.count)) — review before applying:")
            lines += growing.map { "  " + line($0) }
        }
        if !shrinking.isEmpty {
            lines.append("")
            lines.append("Entitlements that shrink (\(shrinking.count)):")
            lines += shrinking.map { "  " + line($0) }
        }
        if !diff.changes.isEmpty {
            lines.append("")
            lines.append("Other changes (\(diff.changes.count)):")
            lines += diff.changes.map { "  " + line($0) }
        }
        lines.append("")
        lines.append(
            diff.entitlementsGrow
                ? "Entitlements grow: \(summary(growing)) (exit 3)."
                : "No entitlement grows (exit 0).")
        return lines.joined(separator: "\n")
    }

    /// `1 with 個人番号, 2 with personal items, 3 in all`.
    private static func summary(_ growing: [EntitlementChange]) -> String {
        let mynumber = growing.filter { $0.sensitivity == .mynumber }.count
        let personal = growing.filter { $0.sensitivity == .personal }.count
        var parts: [String] = []
        if mynumber > 0 { parts.append("\(mynumber) with 個人番号") }
        if personal > 0 { parts.append("\(personal) with personal items") }
        parts.append("\(growing.count) in all")
        return parts.joined(separator: ", ")
    }

    /// One entitlement change: a sensitivity tag, who, and what.
    static func line(_ change: EntitlementChange) -> String {
        let tag =
            switch change.sensitivity {
            case .mynumber: "[個人番号] "
            case .personal: "[personal] "
            case .none: ""
            }
        let who = "\(change.subject) \(change.subjectName)"
        let receiver = "\(change.linkage ?? "?") → \(who)" + (change.delivery.map { " (\($0.rawValue))" } ?? "")
        let items = change.items.map(item).joined(separator: ", ")
        let text: String =
            switch change.kind {
            case .receiverAdded: "\(receiver): new receiver of \(change.items.count) items: \(items)"
            case .receiverRemoved: "\(receiver): receiver removed (had \(change.items.count) items)"
            case .itemsGained: "\(receiver) gains \(items)"
            case .itemsLost: "\(receiver) loses \(items)"
            case .providerAdded: "\(change.linkage ?? "?"): \(who) becomes the provider"
            case .providerRemoved: "\(change.linkage ?? "?"): \(who) is no longer the provider"
            case .operatorAdded: "operator \(who) added: may read dead letters and the history"
            case .operatorRemoved: "operator \(who) removed"
            case .zoneWidened where change.subjectIsOperator:
                "operator \(who) moves into the mynumber zone: may see dead letters' 個人番号 unmasked"
            case .zoneWidened: "system \(who) moves into the mynumber zone: linkages may give it 個人番号"
            case .zoneNarrowed: "\(change.subjectIsOperator ? "operator" : "system") \(who) leaves the mynumber zone"
            }
        return tag + text
    }

    /// `氏名 (name, personal)`.
    private static func item(_ item: EntitlementChange.ChangedItem) -> String {
        item.sensitivity == .none
            ? "\(item.name) (\(item.key))" : "\(item.name) (\(item.key), \(item.sensitivity.rawValue))"
    }

    static func line(_ change: ContractChange) -> String {
        let subject = "\(change.category.rawValue) \(change.subject)"
        guard let field = change.field else {
            if let new = change.new, change.old == nil { return "\(subject) added: \(new)" }
            return "\(subject) removed" + (change.old.map { ": \($0)" } ?? "")
        }
        switch (change.old, change.new) {
        case (nil, let new?): return "\(subject): \(field) added: \(new)"
        case (let old?, nil): return "\(subject): \(field) removed (was \(old))"
        case (let old?, let new?): return "\(subject): \(field): \(old) → \(new)"
        case (nil, nil): return "\(subject): \(field) changed"
        }
    }

    static func json(_ diff: ContractDiff, old: String, new: String) -> JSONValue {
        let entitlements: [JSONValue] = diff.entitlements.map { change in
            var fields: [(String, JSONValue)] = [
                ("change", .string(change.kind.rawValue)), ("grows", .bool(change.grows)),
                ("sensitivity", .string(change.sensitivity.rawValue)),
            ]
            if let linkage = change.linkage { fields.append(("linkage", .string(linkage))) }
            let isOperator = change.kind == .operatorAdded || change.kind == .operatorRemoved
            fields.append((isOperator ? "operator" : "system", .string(change.subject)))
            fields.append(("name", .string(change.subjectName)))
            if let delivery = change.delivery { fields.append(("delivery", .string(delivery.rawValue))) }
            if !change.items.isEmpty {
                fields.append(
                    (
                        "items",
                        .array(
                            change.items.map {
                                .object([
                                    ("name", .string($0.name)), ("key", .string($0.key)),
                                    ("sensitivity", .string($0.sensitivity.rawValue)),
                                ])
                            })
                    ))
            }
            return .object(fields)
        }
        let changes: [JSONValue] = diff.changes.map {
            .object([
                ("category", .string($0.category.rawValue)), ("subject", .string($0.subject)),
                ("field", $0.field.map(JSONValue.string) ?? .null), ("old", $0.old.map(JSONValue.string) ?? .null),
                ("new", $0.new.map(JSONValue.string) ?? .null),
            ])
        }
        return .object([
            ("old", .string(old)), ("new", .string(new)), ("entitlementsGrow", .bool(diff.entitlementsGrow)),
            ("entitlements", .array(entitlements)), ("changes", .array(changes)),
        ])
    }
}
