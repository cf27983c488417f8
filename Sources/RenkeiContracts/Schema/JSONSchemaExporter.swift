/// JSON Schema (draft 2020-12) of a layout, or of what one receiver of a linkage gets, so that systems written in
/// any language can check records with their own tools.
///
/// Values are JSON strings except `integer` and `decimal` (numbers) and `boolean`. An optional item may be absent,
/// `null` or empty. Generic validators count a base character plus an ideographic variation selector as two
/// characters where Renkei counts one, so `maxLength` is slightly stricter there than Renkei itself.
public enum JSONSchemaExporter {
    public static let dialect = "https://json-schema.org/draft/2020-12/schema"

    /// The schema of every item of `layout`.
    public static func schema(of layout: Layout) -> JSONValue {
        document(
            id: "urn:renkei:layout:\(layout.reference)", title: "\(layout.title) (\(layout.reference))",
            description: "Every item of layout \(layout.reference).", items: layout.items)
    }

    /// The schema of the records `receiver` gets from `linkage`.
    public static func schema(of projection: Projection, linkage: Linkage, receiver: Receiver) -> JSONValue {
        document(
            id: "urn:renkei:linkage:\(linkage.id):receiver:\(receiver.system)",
            title: "\(projection.layout.title) → \(receiver.system) (\(linkage.id))",
            description: "The items receiver \(receiver.system) gets from linkage \(linkage.id) "
                + "(layout \(projection.layout.reference)); no other item is ever delivered to it.",
            items: projection.items)
    }

    private static func document(id: String, title: String, description: String, items: [Item]) -> JSONValue {
        .object([
            ("$schema", .string(dialect)),
            ("$id", .string(id)),
            ("title", .string(title)),
            ("description", .string(description)),
            ("type", "object"),
            ("properties", .object(items.map { ($0.key, property(for: $0)) })),
            ("required", .array(items.filter(\.required).map { .string($0.key) })),
            ("additionalProperties", false),
        ])
    }

    static func property(for item: Item) -> JSONValue {
        var members: [(String, JSONValue)] = [("title", .string(item.name))]
        let optional = !item.required
        func type(_ name: String) -> JSONValue { optional ? [.string(name), "null"] : .string(name) }
        switch item.type {
        case .string:
            members += [("type", type("string")), ("pattern", .string(pattern(for: item.characterRule)))]
            if let max = item.maxLength { members.append(("maxLength", .integer(max))) }
        case .digits:
            members += [("type", type("string")), ("pattern", optional ? "^[0-9]*$" : "^[0-9]+$")]
            if let max = item.maxLength { members.append(("maxLength", .integer(max))) }
        case .code:
            let codes = (item.codeTable?.codes ?? []).map { JSONValue.string($0.value) }
            members.append(("enum", .array(optional ? codes + ["", .null] : codes)))
            if let table = item.codeTable {
                members.append(("x-renkei-code-table", .string(table.id)))
            }
        case .integer:
            members.append(("type", type("integer")))
            if let max = item.maxLength, max < 19 {
                let limit = Int(pow10(max)) - 1
                members += [("minimum", .integer(-limit)), ("maximum", .integer(limit))]
            }
        case .decimal(let precision, let scale):
            let limit = pow10(precision - scale)
            members += [
                ("type", type("number")), ("exclusiveMinimum", .number(-limit)), ("exclusiveMaximum", .number(limit)),
            ]
        case .date:
            members += [
                ("type", type("string")),
                ("pattern", .string(optional ? "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$" : "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")),
            ]
            if item.allowsUnknownDate {
                members.append(("x-renkei-unknown-date", "0000-00-00"))
            } else if !optional {
                members.append(("format", "date"))
            }
        case .datetime:
            members.append(("type", type("string")))
            if !optional { members.append(("format", "date-time")) }
        case .boolean:
            members.append(("type", type("boolean")))
        }
        if item.sensitivity != .none { members.append(("x-renkei-sensitivity", .string(item.sensitivity.rawValue))) }
        return .object(members)
    }

    /// A regular expression (ECMA-262, as JSON Schema uses) accepting exactly the characters of `rule`.
    static func pattern(for rule: CharacterRule) -> String {
        switch rule {
        case .any: #"^[^\u0000-\u001F\u007F-\u009F]*$"#
        case .ascii: #"^[\u0020-\u007E]*$"#
        case .halfwidth: #"^[\u0020-\u007E\uFF61-\uFF9F]*$"#
        case .fullwidth: #"^[^\u0000-\u009F\uFF61-\uFFDC\uFFE8-\uFFEE]*$"#
        case .fullwidthKatakana: #"^[\u30A1-\u30FA\u30FC-\u30FE\u3000\uFE00-\uFE0F]*$"#
        }
    }

    private static func pow10(_ exponent: Int) -> Double {
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }
}
