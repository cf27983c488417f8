import RenkeiContracts

/// How `renkei contract show` presents a linkage.
enum LinkageRendering {
    static func list(_ contracts: ContractSet) -> String {
        let rows = contracts.linkages.map { linkage in
            [
                linkage.id, linkage.mode.rawValue, linkage.trigger.rawValue,
                "\(linkage.provider) → \(linkage.receivers.map(\.system).joined(separator: ", "))", linkage.title,
            ]
        }
        let widths = (0..<5).map { column in rows.map { displayWidth($0[column]) }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, text in
                column == row.count - 1
                    ? text : text + String(repeating: " ", count: widths[column] - displayWidth(text))
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func text(_ linkage: Linkage, _ contracts: ContractSet) -> String {
        guard let layout = contracts.layout(linkage.layout) else { return "" }
        var lines: [String] = []
        lines.append("\(linkage.id)  \(linkage.title)")
        lines.append("  mode \(linkage.mode.rawValue), trigger \(linkage.trigger.rawValue)")
        lines.append(
            "  layout \(layout.reference) (\(layout.title)), key \(layout.item(linkage.keyItem)?.name ?? linkage.keyItem)"
        )
        lines.append("  provider \(describe(linkage.provider, contracts))")
        let policy = linkage.failurePolicy
        lines.append(
            "  invalid rows: \(policy.invalidRows.rawValue); push: \(policy.pushAttempts) attempts, back-off "
                + "\(policy.initialBackoffMilliseconds) ms doubling to \(policy.maxBackoffMilliseconds) ms")
        lines.append("")
        lines.append("  receivers:")
        for (index, receiver) in linkage.receivers.enumerated() {
            lines.append(
                "  [\(index + 1)] \(describe(receiver.system, contracts)), \(receiver.delivery.rawValue) delivery, "
                    + "\(receiver.items.count) of \(layout.items.count) items")
            lines.append("      purpose: \(receiver.purpose)")
        }
        lines.append("")
        lines.append(contentsOf: matrix(linkage, layout))
        return lines.joined(separator: "\n")
    }

    /// One row per item, one column per receiver: `●` where the receiver gets the item.
    private static func matrix(_ linkage: Linkage, _ layout: Layout) -> [String] {
        let nameWidth = layout.items.map { displayWidth($0.name) + displayWidth($0.key) + 3 }.max() ?? 0
        let columns = linkage.receivers.enumerated().map { index, receiver in
            (label: "[\(index + 1)]", items: Set(receiver.items))
        }
        func pad(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(0, width - displayWidth(text)))
        }
        var lines = ["  " + pad("item", nameWidth) + columns.map { pad($0.label, 5) }.joined()]
        for item in layout.items {
            let marks = columns.map { pad($0.items.contains(item.key) ? " ●" : " ·", 5) }.joined()
            let note = item.sensitivity == .mynumber ? "  個人番号: mynumber zone only" : ""
            lines.append("  " + pad("\(item.name) (\(item.key))", nameWidth) + marks + note)
        }
        return lines
    }

    static func json(_ linkage: Linkage, _ contracts: ContractSet) -> JSONValue {
        let layout = contracts.layout(linkage.layout)
        func system(_ id: String) -> JSONValue {
            let system = contracts.system(id)
            return .object([
                ("id", .string(id)), ("name", .string(system?.name ?? "")),
                ("zone", .string(system?.zone.rawValue ?? "")),
            ])
        }
        let receivers: [JSONValue] = linkage.receivers.map { receiver in
            .object([
                ("system", system(receiver.system)), ("delivery", .string(receiver.delivery.rawValue)),
                ("purpose", .string(receiver.purpose)),
                (
                    "items",
                    .array(
                        receiver.items.map { key in
                            .object([("key", .string(key)), ("name", .string(layout?.item(key)?.name ?? ""))])
                        })
                ),
            ])
        }
        return .object([
            ("id", .string(linkage.id)), ("title", .string(linkage.title)), ("mode", .string(linkage.mode.rawValue)),
            ("trigger", .string(linkage.trigger.rawValue)), ("layout", .string(linkage.layout.description)),
            ("key", .string(linkage.keyItem)), ("provider", system(linkage.provider)),
            ("receivers", .array(receivers)),
        ])
    }

    private static func describe(_ id: String, _ contracts: ContractSet) -> String {
        guard let system = contracts.system(id) else { return id }
        return "\(id) \(system.name) (\(system.zone.rawValue) zone)"
    }

    /// Columns a terminal gives `text`: East Asian wide and full-width characters take two, variation
    /// selectors none.
    static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { width, scalar in
            switch scalar.value {
            case 0xFE00...0xFE0F, 0xE0100...0xE01EF: width
            case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
                0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
                0xFFE0...0xFFE6, 0x20000...0x3FFFD:
                width + 2
            default: width + 1
            }
        }
    }
}
