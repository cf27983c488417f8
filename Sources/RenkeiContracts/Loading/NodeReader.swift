import Yams

/// A value read from YAML together with where it was written.
struct Located<Value> {
    var value: Value
    var location: SourceLocation
}

extension Node {
    func location(in file: String) -> SourceLocation {
        let mark = self.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }
}

/// Reads the fields of one YAML mapping, reporting missing, mistyped and unknown fields as diagnostics.
///
/// Every accessor records the field as known; `finish` then reports the fields nobody asked for, which are
/// almost always typos (`reciever`) that would otherwise be silently ignored.
struct FieldReader {
    let file: String
    let location: SourceLocation
    /// What the mapping defines, for messages: "system", "item 氏名", …
    let subject: String
    private let pairs: [(key: String, keyNode: Node, value: Node)]
    private var asked: Set<String> = []

    /// `nil` (with a diagnostic) when `node` is not a mapping.
    init?(_ node: Node, file: String, subject: String, into diagnostics: inout Diagnostics) {
        self.file = file
        self.location = node.location(in: file)
        self.subject = subject
        guard case .mapping(let mapping) = node else {
            diagnostics.error(
                .wrongShape, at: location,
                "The \(subject) must be a mapping of fields (name: value), not \(node.shapeName).")
            return nil
        }
        self.pairs = mapping.map { (key: $0.key.string ?? "", keyNode: $0.key, value: $0.value) }
    }

    /// The node of field `key`, if present.
    mutating func node(_ key: String) -> Node? {
        asked.insert(key)
        return pairs.first { $0.key == key }?.value
    }

    /// A text field. Numbers and booleans are read as they were written (`001` stays `001`).
    mutating func string(_ key: String, required: Bool, into diagnostics: inout Diagnostics) -> Located<String>? {
        guard let node = node(key) else {
            if required {
                diagnostics.error(.missingField, at: location, "The \(subject) has no `\(key)`; it is required.")
            }
            return nil
        }
        guard case .scalar(let scalar) = node, !(scalar.string.isEmpty && scalar.style == .plain) else {
            diagnostics.error(
                .wrongShape, at: node.location(in: file),
                "`\(key)` of the \(subject) must be a single value, not \(node.shapeName).")
            return nil
        }
        return Located(value: scalar.string, location: node.location(in: file))
    }

    /// A field whose value is one of `Choice`'s raw values.
    mutating func choice<Choice: RawRepresentable & CaseIterable>(
        _ key: String, as type: Choice.Type, required: Bool, into diagnostics: inout Diagnostics
    ) -> Located<Choice>? where Choice.RawValue == String {
        guard let text = string(key, required: required, into: &diagnostics) else { return nil }
        guard let value = Choice(rawValue: text.value) else {
            let allowed = Choice.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
            diagnostics.error(
                .invalidValue, at: text.location,
                "`\(key)` of the \(subject) is `\(text.value)`; it must be one of \(allowed).")
            return nil
        }
        return Located(value: value, location: text.location)
    }

    mutating func bool(_ key: String, default defaultValue: Bool, into diagnostics: inout Diagnostics) -> Bool {
        guard let text = string(key, required: false, into: &diagnostics) else { return defaultValue }
        switch text.value {
        case "true", "yes": return true
        case "false", "no": return false
        default:
            diagnostics.error(
                .invalidValue, at: text.location, "`\(key)` of the \(subject) must be `true` or `false`.")
            return defaultValue
        }
    }

    /// A whole number within `range`.
    mutating func integer(
        _ key: String, in range: ClosedRange<Int>, into diagnostics: inout Diagnostics
    )
        -> Located<Int>?
    {
        guard let text = string(key, required: false, into: &diagnostics) else { return nil }
        guard let value = Int(text.value), range.contains(value) else {
            diagnostics.error(
                .invalidValue, at: text.location,
                "`\(key)` of the \(subject) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
            return nil
        }
        return Located(value: value, location: text.location)
    }

    /// The elements of a list field; a missing field is an empty list.
    mutating func list(_ key: String, required: Bool, into diagnostics: inout Diagnostics) -> [Node]? {
        guard let node = node(key) else {
            if required {
                diagnostics.error(.missingField, at: location, "The \(subject) has no `\(key)`; it is required.")
            }
            return nil
        }
        guard case .sequence(let sequence) = node else {
            diagnostics.error(
                .wrongShape, at: node.location(in: file),
                "`\(key)` of the \(subject) must be a list (lines starting with `- `), not \(node.shapeName).")
            return nil
        }
        return Array(sequence)
    }

    /// Reports every field that no accessor asked for.
    func finish(into diagnostics: inout Diagnostics) {
        let known = asked.sorted().map { "`\($0)`" }.joined(separator: ", ")
        for pair in pairs where !asked.contains(pair.key) {
            diagnostics.error(
                .unknownField, at: pair.keyNode.location(in: file),
                "The \(subject) has a field `\(pair.key)` that contracts do not define; known fields are \(known).")
        }
    }
}

extension Node {
    /// How the node was written, for messages.
    var shapeName: String {
        switch self {
        case .scalar(let scalar) where scalar.string.isEmpty: "an empty value"
        case .scalar: "a single value"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
