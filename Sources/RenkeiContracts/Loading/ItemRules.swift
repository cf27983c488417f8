/// The rules one layout item must follow on its own: type, length, code table, character rule.
enum ItemRules {
    static func check(
        _ draft: ItemDraft, codeTables: [String: CodeTable], into diagnostics: inout Diagnostics
    )
        -> Item
    {
        let name = draft.name.value
        let type = draft.type.value
        var codeTable: CodeTable?
        switch (type, draft.codeTable) {
        case (.code, nil):
            diagnostics.error(
                .codeTableMismatch, at: draft.type.location,
                "The item \(name) is of type `code` but names no code table; add `codes: <table id>`.")
        case (.code, let reference?):
            codeTable = codeTables[reference.value]
            if codeTable == nil {
                let known = codeTables.keys.sorted().map { "`\($0)`" }.joined(separator: ", ")
                diagnostics.error(
                    .unknownCodeTable, at: reference.location,
                    "The item \(name) names the code table `\(reference.value)`, which is not defined"
                        + (known.isEmpty ? "." : "; defined tables are \(known)."))
            }
        case (_, let reference?):
            diagnostics.error(
                .codeTableMismatch, at: reference.location,
                "The item \(name) is of type `\(type)`; only items of type `code` take a code table.")
        case (_, nil):
            break
        }
        if let rule = draft.characterRule, rule.value != .any, !type.isText {
            diagnostics.error(
                .characterRuleContradictsType, at: rule.location,
                "The item \(name) is of type `\(type)`, which fixes its characters; the character rule "
                    + "`\(rule.value.rawValue)` applies only to items of type `string`.")
        }
        checkLength(draft, codeTable: codeTable, into: &diagnostics)
        if let unknown = draft.allowsUnknownDate, unknown.value, type != .date {
            diagnostics.error(
                .invalidValue, at: unknown.location,
                "The item \(name) is of type `\(type)`; only `date` items can allow an unknown date (不詳).")
        }
        return Item(
            name: name, key: draft.key.value, type: type, maxLength: draft.maxLength?.value, required: draft.required,
            codeTable: codeTable, characterRule: draft.characterRule?.value ?? .any, sensitivity: draft.sensitivity,
            allowsUnknownDate: draft.allowsUnknownDate?.value ?? false)
    }

    private static func checkLength(_ draft: ItemDraft, codeTable: CodeTable?, into diagnostics: inout Diagnostics) {
        let name = draft.name.value
        switch (draft.type.value, draft.maxLength) {
        case (.string, nil), (.digits, nil):
            diagnostics.error(
                .lengthMismatch, at: draft.type.location,
                "The item \(name) has no `max`; items of type `\(draft.type.value)` need their length (桁数).")
        case (.date, let max?), (.datetime, let max?), (.boolean, let max?), (.decimal, let max?):
            diagnostics.error(
                .lengthMismatch, at: max.location,
                "The item \(name) is of type `\(draft.type.value)`, which fixes its length; remove `max`.")
        case (.code, let max?):
            if let codeTable, codeTable.maxCodeLength > max.value {
                diagnostics.error(
                    .lengthMismatch, at: max.location,
                    "The item \(name) allows \(max.value) characters, but its code table `\(codeTable.id)` has "
                        + "codes of \(codeTable.maxCodeLength).")
            }
        default:
            break
        }
    }
}
