/// Works out the changes that move no entitlement by themselves: linkage settings, layouts and their items, code
/// tables, systems and operators.
struct DefinitionComparison {
    let old: ContractSet
    let new: ContractSet

    func changes() -> [ContractChange] {
        linkageChanges() + layoutChanges() + codeTableChanges() + systemChanges() + operatorChanges()
    }

    // MARK: Linkages

    private func linkageChanges() -> [ContractChange] {
        var changes: [ContractChange] = []
        for id in EntitlementComparison.union(old.linkages.map(\.id), new.linkages.map(\.id)) {
            switch (old.linkage(id), new.linkage(id)) {
            case (nil, let linkage?):
                changes.append(.init(category: .linkage, subject: id, old: nil, new: linkage.title))
            case (let linkage?, nil):
                changes.append(.init(category: .linkage, subject: id, old: linkage.title, new: nil))
            case (let before?, let after?):
                changes += Self.fields(of: before, and: after).map {
                    .init(category: .linkage, subject: id, field: $0.field, old: $0.old, new: $0.new)
                }
            case (nil, nil):
                break
            }
        }
        return changes
    }

    private static func fields(of before: Linkage, and after: Linkage) -> [FieldChange] {
        var fields = FieldChanges()
        fields.compare("title", before.title, after.title)
        fields.compare("mode", before.mode.rawValue, after.mode.rawValue)
        fields.compare("trigger", before.trigger.rawValue, after.trigger.rawValue)
        fields.compare("schedule", before.schedule?.description, after.schedule?.description)
        fields.compare("layout", before.layout.description, after.layout.description)
        fields.compare("key", before.keyItem, after.keyItem)
        fields.compare(
            "failure.invalid-rows", before.failurePolicy.invalidRows.rawValue, after.failurePolicy.invalidRows.rawValue)
        fields.compare(
            "failure.push-attempts", "\(before.failurePolicy.pushAttempts)", "\(after.failurePolicy.pushAttempts)")
        fields.compare(
            "failure.backoff", Self.backoff(before.failurePolicy), Self.backoff(after.failurePolicy))
        for receiver in after.receivers {
            guard let previous = before.receiver(receiver.system) else { continue }
            let prefix = "receiver \(receiver.system) "
            fields.compare(prefix + "delivery", previous.delivery.rawValue, receiver.delivery.rawValue)
            fields.compare(prefix + "mode", previous.fileMode?.rawValue, receiver.fileMode?.rawValue)
            fields.compare(prefix + "purpose", previous.purpose, receiver.purpose)
        }
        return fields.changes
    }

    private static func backoff(_ policy: FailurePolicy) -> String {
        "\(policy.initialBackoffMilliseconds)ms..\(policy.maxBackoffMilliseconds)ms"
    }

    // MARK: Layouts

    private func layoutChanges() -> [ContractChange] {
        var changes: [ContractChange] = []
        for parsed in EntitlementComparison.union(old.layouts.map(\.reference), new.layouts.map(\.reference)) {
            let reference = parsed.description
            switch (old.layout(parsed), new.layout(parsed)) {
            case (nil, let layout?):
                changes.append(.init(category: .layout, subject: reference, old: nil, new: layout.title))
            case (let layout?, nil):
                changes.append(.init(category: .layout, subject: reference, old: layout.title, new: nil))
            case (let before?, let after?):
                // The same version edited in place: receivers of stored records and of new ones see different
                // items under one name, so it is shown even when only a title changes.
                changes += itemChanges(from: before, to: after, subject: reference)
            case (nil, nil):
                break
            }
        }
        for (before, after) in versionPairs() {
            let subject = "\(before.reference) → \(after.version)"
            changes += itemChanges(from: before, to: after, subject: subject)
        }
        return changes
    }

    /// The layout versions to compare item by item: the version each linkage moves from and to, and for a new version
    /// no linkage moves to yet, the newest old version of the same layout.
    private func versionPairs() -> [(Layout, Layout)] {
        var pairs: [(Layout, Layout)] = []
        var seen = Set<String>()
        func add(_ before: Layout, _ after: Layout) {
            guard before.reference != after.reference,
                seen.insert("\(before.reference) \(after.reference)").inserted
            else { return }
            pairs.append((before, after))
        }
        for linkage in new.linkages {
            guard let previous = old.linkage(linkage.id), previous.layout != linkage.layout,
                let before = old.layout(previous.layout), let after = new.layout(linkage.layout)
            else { continue }
            add(before, after)
        }
        for layout in new.layouts where old.layout(layout.reference) == nil {
            let movedTo = seen.contains { $0.hasSuffix(" \(layout.reference)") }
            guard !movedTo, let before = old.layout(named: layout.id) else { continue }
            add(before, layout)
        }
        return pairs
    }

    private func itemChanges(from before: Layout, to after: Layout, subject: String) -> [ContractChange] {
        var fields = FieldChanges()
        fields.compare("title", before.title, after.title)
        for key in EntitlementComparison.union(before.items.map(\.key), after.items.map(\.key)) {
            switch (before.item(key), after.item(key)) {
            case (nil, let item?):
                fields.changes.append(.init(field: "item \(item.name) (\(key))", old: nil, new: Self.summary(item)))
            case (let item?, nil):
                fields.changes.append(.init(field: "item \(item.name) (\(key))", old: Self.summary(item), new: nil))
            case (let was?, let item?):
                let prefix = "item \(item.name) (\(key)) "
                fields.compare(prefix + "name", was.name, item.name)
                fields.compare(prefix + "type", was.type.description, item.type.description)
                fields.compare(prefix + "max-length", was.maxLength.map(String.init), item.maxLength.map(String.init))
                fields.compare(prefix + "required", "\(was.required)", "\(item.required)")
                fields.compare(prefix + "codes", was.codeTable?.id, item.codeTable?.id)
                fields.compare(prefix + "characters", was.characterRule.rawValue, item.characterRule.rawValue)
                fields.compare(prefix + "sensitivity", was.sensitivity.rawValue, item.sensitivity.rawValue)
                fields.compare(prefix + "unknown-date", "\(was.allowsUnknownDate)", "\(item.allowsUnknownDate)")
            case (nil, nil):
                break
            }
        }
        return fields.changes.map {
            .init(category: .layout, subject: subject, field: $0.field, old: $0.old, new: $0.new)
        }
    }

    /// `type`, `max-length`, `required` and sensitivity of an item, for one line of a diff.
    private static func summary(_ item: Item) -> String {
        var parts = [item.type.description]
        if let maxLength = item.maxLength { parts.append("max \(maxLength)") }
        if item.required { parts.append("required") }
        if item.sensitivity != .none { parts.append(item.sensitivity.rawValue) }
        return parts.joined(separator: ", ")
    }

    // MARK: Code tables

    private func codeTableChanges() -> [ContractChange] {
        var changes: [ContractChange] = []
        let oldTables = Dictionary(old.codeTables.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let newTables = Dictionary(new.codeTables.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for id in EntitlementComparison.union(old.codeTables.map(\.id), new.codeTables.map(\.id)) {
            switch (oldTables[id], newTables[id]) {
            case (nil, let table?):
                changes.append(.init(category: .codeTable, subject: id, old: nil, new: table.title))
            case (let table?, nil):
                changes.append(.init(category: .codeTable, subject: id, old: table.title, new: nil))
            case (let before?, let after?):
                var fields = FieldChanges()
                fields.compare("title", before.title, after.title)
                let values = EntitlementComparison.union(before.codes.map(\.value), after.codes.map(\.value))
                for value in values {
                    fields.compare("code \(value)", before.label(of: value), after.label(of: value))
                }
                changes += fields.changes.map {
                    .init(category: .codeTable, subject: id, field: $0.field, old: $0.old, new: $0.new)
                }
            case (nil, nil):
                break
            }
        }
        return changes
    }

    // MARK: Systems and operators

    private func systemChanges() -> [ContractChange] {
        var changes: [ContractChange] = []
        for id in EntitlementComparison.union(old.systems.map(\.id), new.systems.map(\.id)) {
            switch (old.system(id), new.system(id)) {
            case (nil, let system?):
                changes.append(.init(category: .system, subject: id, old: nil, new: system.name))
            case (let system?, nil):
                changes.append(.init(category: .system, subject: id, old: system.name, new: nil))
            case (let before?, let after?):
                var fields = FieldChanges()
                fields.compare("name", before.name, after.name)
                fields.compare("kind", before.kind.rawValue, after.kind.rawValue)
                // A zone change is an entitlement change (EntitlementComparison), not repeated here.
                fields.compare("credentials.client-id", before.credentials?.clientID, after.credentials?.clientID)
                fields.compareSecret(
                    "credentials.secret", before.credentials?.secretSHA256, after.credentials?.secretSHA256)
                fields.compareSecret(
                    "credentials.signing-secret", before.credentials?.signingSecretSHA256,
                    after.credentials?.signingSecretSHA256)
                fields.compare(
                    "credentials.client-certificate-sha256", before.credentials?.clientCertificateSHA256,
                    after.credentials?.clientCertificateSHA256)
                fields.compare("endpoints.webhook", before.endpoints.webhook, after.endpoints.webhook)
                fields.compare("endpoints.query", before.endpoints.query, after.endpoints.query)
                fields.compare("endpoints.storage", before.endpoints.storage, after.endpoints.storage)
                fields.compare("endpoints.inbox", before.endpoints.inbox, after.endpoints.inbox)
                fields.compare(
                    "endpoints.inbox-encoding", before.endpoints.inboxEncoding.rawValue,
                    after.endpoints.inboxEncoding.rawValue)
                changes += fields.changes.map {
                    .init(category: .system, subject: id, field: $0.field, old: $0.old, new: $0.new)
                }
            case (nil, nil):
                break
            }
        }
        return changes
    }

    private func operatorChanges() -> [ContractChange] {
        var changes: [ContractChange] = []
        for after in new.operators {
            guard let before = old.operator(clientID: after.clientID) else { continue }
            var fields = FieldChanges()
            fields.compare("name", before.name, after.name)
            fields.compareSecret("secret", before.secretSHA256, after.secretSHA256)
            changes += fields.changes.map {
                .init(category: .operator, subject: after.clientID, field: $0.field, old: $0.old, new: $0.new)
            }
        }
        return changes
    }
}

/// One changed field, before it is given its category and subject.
private struct FieldChange {
    var field: String
    var old: String?
    var new: String?
}

/// Collects the fields whose values differ.
private struct FieldChanges {
    var changes: [FieldChange] = []

    mutating func compare(_ field: String, _ old: String?, _ new: String?) {
        if old != new { changes.append(FieldChange(field: field, old: old, new: new)) }
    }

    /// A secret's hash changes: says so without showing either hash.
    mutating func compareSecret(_ field: String, _ old: String?, _ new: String?) {
        guard old != new else { return }
        changes.append(
            FieldChange(
                field: field, old: old == nil ? nil : "(set)",
                new: new == nil ? nil : (old == nil ? "(set)" : "(replaced)")))
    }
}
