/// The rules of one linkage: its references, its key, and what each receiver may get.
struct LinkageValidator {
    let draft: LinkageDraft
    let systems: [String: System]
    let layouts: [LayoutReference: Layout]
    let layoutIDs: Set<String>

    func validate(into diagnostics: inout Diagnostics) -> Linkage? {
        let id = draft.id.value
        if draft.mode.value == .query, draft.trigger.value != .onDemand {
            diagnostics.error(
                .triggerContradictsMode, at: draft.trigger.location,
                "The linkage `\(id)` is a query (照会), which runs when a receiver asks; its trigger must be "
                    + "`on-demand`, not `\(draft.trigger.value.rawValue)`.")
        }
        if let schedule = draft.schedule, draft.trigger.value != .daily {
            diagnostics.error(
                .triggerContradictsMode, at: schedule.location,
                "The linkage `\(id)` has a `schedule`, which only a `daily` trigger uses; its trigger is "
                    + "`\(draft.trigger.value.rawValue)`.")
        }
        let provider = systems[draft.provider.value]
        if provider == nil {
            diagnostics.error(
                .unknownSystem, at: draft.provider.location,
                "The provider `\(draft.provider.value)` of linkage `\(id)` is not registered in systems.yaml.")
        }
        let layout = resolveLayout(into: &diagnostics)
        let keyItem = layout.flatMap { checkKeyItem(in: $0, into: &diagnostics) }
        for (receiver, earlier) in ContractValidator.duplicates(
            draft.receivers.map { ($0.system.value, $0.system.location) })
        {
            diagnostics.error(
                .duplicateID, at: receiver.1,
                "The system `\(receiver.0)` is a receiver of linkage `\(id)` twice (first at line \(earlier.line)).")
        }
        let receivers = draft.receivers.compactMap { receiver in
            validateReceiver(receiver, layout: layout, keyItem: keyItem, into: &diagnostics)
        }
        guard let layout, let keyItem, provider != nil, receivers.count == draft.receivers.count else { return nil }
        return Linkage(
            id: id, title: draft.title, mode: draft.mode.value, trigger: draft.trigger.value,
            provider: draft.provider.value, layout: layout.reference, keyItem: keyItem.key, receivers: receivers,
            failurePolicy: draft.failurePolicy, schedule: draft.schedule?.value)
    }

    private func resolveLayout(into diagnostics: inout Diagnostics) -> Layout? {
        let text = draft.layout
        guard let reference = LayoutReference(parsing: text.value) else {
            diagnostics.error(
                .invalidValue, at: text.location,
                "The layout of linkage `\(draft.id.value)` is written `id@version`, such as `resident-record@1.0`.")
            return nil
        }
        if let layout = layouts[reference] { return layout }
        if layoutIDs.contains(reference.id) {
            let versions = layouts.keys.filter { $0.id == reference.id }.map(\.version).sorted()
            diagnostics.error(
                .unknownLayoutVersion, at: text.location,
                "The layout `\(reference.id)` has no version `\(reference.version)`; defined versions are "
                    + versions.map { "`\($0)`" }.joined(separator: ", ") + ".")
        } else {
            diagnostics.error(
                .unknownLayout, at: text.location,
                "The layout `\(reference.id)` is not defined in layouts/.")
        }
        return nil
    }

    private func checkKeyItem(in layout: Layout, into diagnostics: inout Diagnostics) -> Item? {
        let text = draft.keyItem
        guard let item = layout.item(text.value) else {
            diagnostics.error(
                .unknownItem, at: text.location,
                "The key `\(text.value)` of linkage `\(draft.id.value)` is not an item of layout `\(layout.reference)`."
            )
            return nil
        }
        if !item.required {
            diagnostics.error(
                .keyNotRequired, at: text.location,
                "The key item \(item.name) is optional in layout `\(layout.reference)`; a record without a key "
                    + "cannot be ordered or found, so the key item must be required.")
        }
        if item.sensitivity == .mynumber {
            diagnostics.error(
                .mynumberKey, at: text.location,
                "The key item \(item.name) has sensitivity `mynumber` (個人番号); the key travels with every "
                    + "record to every receiver, so it must be an item such as 宛名番号.")
        }
        return item
    }

    private func validateReceiver(
        _ receiver: ReceiverDraft, layout: Layout?, keyItem: Item?, into diagnostics: inout Diagnostics
    ) -> Receiver? {
        let linkageID = draft.id.value
        let systemID = receiver.system.value
        guard let system = systems[systemID] else {
            diagnostics.error(
                .unknownSystem, at: receiver.system.location,
                "The receiver `\(systemID)` of linkage `\(linkageID)` is not registered in systems.yaml.")
            return nil
        }
        if systemID == draft.provider.value {
            diagnostics.error(
                .receiverIsProvider, at: receiver.location,
                "The system `\(systemID)` (\(system.name)) provides linkage `\(linkageID)` and cannot also "
                    + "receive it.")
        }
        checkEndpoint(for: receiver, system: system, into: &diagnostics)
        guard let layout else { return nil }

        var keys: [String] = []
        var valid = true
        for entry in receiver.items ?? layout.items.map({ Located(value: $0.key, location: receiver.location) }) {
            guard let item = layout.item(entry.value) else {
                diagnostics.error(
                    .unknownItem, at: entry.location,
                    "The item `\(entry.value)` given to receiver `\(systemID)` is not in layout `\(layout.reference)`.")
                valid = false
                continue
            }
            if keys.contains(item.key) {
                diagnostics.warning(
                    .duplicateID, at: entry.location,
                    "The item \(item.name) is listed twice for receiver `\(systemID)`.")
                continue
            }
            if item.sensitivity == .mynumber, system.zone != .mynumber {
                diagnostics.error(
                    .mynumberOutsideZone, at: receiver.location,
                    "The receiver `\(systemID)` (\(system.name)) is in the `\(system.zone.rawValue)` zone but would "
                        + "receive \(item.name); 個人番号 may go only to systems in the `mynumber` zone. Remove the "
                        + "item from this receiver" + (receiver.items == nil ? " (it has `items: all`)." : "."))
                valid = false
            }
            keys.append(item.key)
        }
        if let keyItem, !keys.contains(keyItem.key), valid {
            diagnostics.error(
                .keyNotProjected, at: receiver.location,
                "The receiver `\(systemID)` does not receive the key item \(keyItem.name), yet the key travels "
                    + "with every record; add it to the receiver's items.")
        }
        guard valid else { return nil }
        let ordered = layout.items.map(\.key).filter { keys.contains($0) }
        if let mode = receiver.fileMode, receiver.delivery.value != .file {
            diagnostics.error(
                .invalidValue, at: mode.location,
                "The receiver `\(systemID)` has `mode: \(mode.value.rawValue)`, which only `file` delivery uses; it "
                    + "gets `\(receiver.delivery.value.rawValue)` delivery.")
            return nil
        }
        return Receiver(
            system: systemID, items: ordered, delivery: receiver.delivery.value, purpose: receiver.purpose,
            fileMode: receiver.fileMode?.value)
    }

    private func checkEndpoint(for receiver: ReceiverDraft, system: System, into diagnostics: inout Diagnostics) {
        let needed: (String, String?)? =
            switch receiver.delivery.value {
            case .push: ("webhook", system.endpoints.webhook)
            case .file: ("storage", system.endpoints.storage)
            case .pull, .kafka: nil
            }
        if let (endpoint, value) = needed, value == nil {
            diagnostics.error(
                .missingEndpoint, at: receiver.delivery.location,
                "The receiver `\(system.id)` gets `\(receiver.delivery.value.rawValue)` delivery, but systems.yaml "
                    + "gives it no `\(endpoint)` endpoint.")
        }
    }
}
