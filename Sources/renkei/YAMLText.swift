import RenkeiContracts

/// YAML block style of a JSON document, for people who read AsyncAPI documents as YAML. Every string value, and
/// every key that is not a plain word, is written as a JSON string (a YAML double-quoted scalar with the same
/// escapes), so nothing is read back differently.
enum YAMLText {
    static func render(_ value: JSONValue) -> String {
        var output = ""
        write(value, indent: 0, to: &output)
        return output
    }

    /// `key` plain when YAML reads it back as the same string, else as a JSON string.
    private static func key(_ key: String) -> String {
        let plain =
            !key.isEmpty && !plainWords.contains(key.lowercased())
            && key.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || "0123456789_-.$".unicodeScalars.contains($0))
            }
            && !(key.first.map { "-.0123456789".contains($0) } ?? true)
        return plain ? key : JSONValue.string(key).serialized()
    }

    /// Words YAML 1.1 readers take for booleans or null.
    private static let plainWords: Set<String> = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"]

    private static func scalar(_ value: JSONValue) -> String? {
        switch value {
        case .array(let elements) where elements.isEmpty: "[]"
        case .object(let members) where members.isEmpty: "{}"
        case .array, .object: nil
        default: value.serialized()
        }
    }

    /// Writes `value`, whose key or dash has been written already, to the end of the current line.
    private static func write(_ value: JSONValue, indent: Int, to output: inout String) {
        let pad = String(repeating: "  ", count: indent)
        switch value {
        case .object(let members) where !members.isEmpty:
            for (key, member) in members {
                output += pad + Self.key(key) + ":"
                if let text = scalar(member) {
                    output += " " + text + "\n"
                } else {
                    output += "\n"
                    write(member, indent: indent + 1, to: &output)
                }
            }
        case .array(let elements) where !elements.isEmpty:
            for element in elements {
                if let text = scalar(element) {
                    output += pad + "- " + text + "\n"
                } else {
                    // The element's first line goes after the dash: render it one level in, then put the dash in
                    // place of that level's indentation on its first line.
                    var nested = ""
                    write(element, indent: indent + 1, to: &nested)
                    output += pad + "- " + nested.dropFirst(pad.count + 2)
                }
            }
        default:
            output += pad + (scalar(value) ?? "") + "\n"
        }
    }
}
