import Foundation
import Yams

enum LayoutParser {
    static func parse(_ node: Node, file: String, into diagnostics: inout Diagnostics) -> LayoutDraft? {
        guard var reader = FieldReader(node, file: file, subject: "layout", into: &diagnostics) else { return nil }
        let id = reader.string("id", required: true, into: &diagnostics)
        let version = reader.string("version", required: true, into: &diagnostics)
        let title = reader.string("title", required: true, into: &diagnostics)
        let itemNodes = reader.list("items", required: true, into: &diagnostics) ?? []
        reader.finish(into: &diagnostics)
        let items = itemNodes.enumerated().compactMap { index, node in
            parseItem(node, position: index + 1, file: file, into: &diagnostics)
        }
        guard let id, let version, let title else { return nil }
        if itemNodes.isEmpty {
            diagnostics.error(.missingField, at: reader.location, "The layout `\(id.value)` has no items.")
        }
        return LayoutDraft(
            id: id, version: version, title: title.value, items: items, location: reader.location)
    }

    private static func parseItem(
        _ node: Node, position: Int, file: String, into diagnostics: inout Diagnostics
    )
        -> ItemDraft?
    {
        let subject = "item \(node.mapping?["name"]?.string ?? "#\(position)")"
        guard var reader = FieldReader(node, file: file, subject: subject, into: &diagnostics) else { return nil }
        let name = reader.string("name", required: true, into: &diagnostics)
        let key = reader.string("key", required: true, into: &diagnostics)
        let typeText = reader.string("type", required: true, into: &diagnostics)
        let maxLength = reader.integer("max", in: 1...100_000, into: &diagnostics)
        let required = reader.bool("required", default: false, into: &diagnostics)
        let codeTable = reader.string("codes", required: false, into: &diagnostics)
        let characterRule = reader.choice("chars", as: CharacterRule.self, required: false, into: &diagnostics)
        let sensitivity = reader.choice("sensitivity", as: Sensitivity.self, required: false, into: &diagnostics)
        let unknownDateText = reader.string("unknown-date", required: false, into: &diagnostics)
        reader.finish(into: &diagnostics)

        if let key, !isFieldKey(key.value) {
            diagnostics.error(
                .invalidValue, at: key.location,
                "The key `\(key.value)` of \(subject) must start with a lowercase ASCII letter and hold only "
                    + "lowercase letters, digits and `_`, so that every language can use it as a JSON field name.")
        }
        var type: Located<ItemType>?
        if let typeText {
            if let parsed = parseType(typeText.value) {
                type = Located(value: parsed, location: typeText.location)
            } else {
                diagnostics.error(
                    .invalidValue, at: typeText.location,
                    "The type `\(typeText.value)` of \(subject) is not one of `string`, `digits`, `integer`, "
                        + "`decimal(p,s)`, `date`, `datetime`, `code`, `boolean`.")
            }
        }
        var unknownDate: Located<Bool>?
        if let unknownDateText {
            switch unknownDateText.value {
            case "true": unknownDate = Located(value: true, location: unknownDateText.location)
            case "false": unknownDate = Located(value: false, location: unknownDateText.location)
            default:
                diagnostics.error(
                    .invalidValue, at: unknownDateText.location, "`unknown-date` of \(subject) must be true or false.")
            }
        }
        guard let name, let key, let type else { return nil }
        return ItemDraft(
            name: name, key: key, type: type, maxLength: maxLength, required: required, codeTable: codeTable,
            characterRule: characterRule, sensitivity: sensitivity?.value ?? .none, allowsUnknownDate: unknownDate,
            location: reader.location)
    }

    /// `string`, `digits`, …, or `decimal(p,s)` with 1 ≤ p ≤ 38 and 0 ≤ s < p.
    static func parseType(_ text: String) -> ItemType? {
        switch text {
        case "string": return .string
        case "digits": return .digits
        case "integer": return .integer
        case "date": return .date
        case "datetime": return .datetime
        case "code": return .code
        case "boolean": return .boolean
        default: break
        }
        guard text.hasPrefix("decimal("), text.hasSuffix(")") else { return nil }
        let inner = text.dropFirst("decimal(".count).dropLast()
        let parts = inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let precision = Int(parts[0]), let scale = Int(parts[1]),
            (1...38).contains(precision), (0..<precision).contains(scale)
        else { return nil }
        return .decimal(precision: precision, scale: scale)
    }

    static func isFieldKey(_ key: String) -> Bool {
        guard let first = key.utf8.first, (0x61...0x7A).contains(first), key.utf8.count <= 64 else { return false }
        return key.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }
}
