/// Works out the entitlement changes between two contract sets: receivers and their items, providers, operators and
/// zones.
struct EntitlementComparison {
    let old: ContractSet
    let new: ContractSet

    func changes() -> [EntitlementChange] {
        var changes: [EntitlementChange] = []
        for id in Self.union(old.linkages.map(\.id), new.linkages.map(\.id)) {
            changes += linkageChanges(old: old.linkage(id), new: new.linkage(id), id: id)
        }
        changes += operatorChanges()
        changes += zoneChanges()
        return changes
    }

    private func linkageChanges(old before: Linkage?, new after: Linkage?, id: String) -> [EntitlementChange] {
        var changes: [EntitlementChange] = []
        if before?.provider != after?.provider {
            if let provider = after?.provider {
                changes.append(.init(kind: .providerAdded, linkage: id, subject: provider, subjectName: name(provider)))
            }
            if let provider = before?.provider {
                changes.append(
                    .init(kind: .providerRemoved, linkage: id, subject: provider, subjectName: name(provider)))
            }
        }
        let receivers = Self.union(
            before?.receivers.map(\.system) ?? [], after?.receivers.map(\.system) ?? [])
        for system in receivers {
            let was = before.flatMap { linkage in linkage.receiver(system).map { (linkage, $0) } }
            let becomes = after.flatMap { linkage in linkage.receiver(system).map { (linkage, $0) } }
            let oldItems = was.map { items(of: $1, in: $0, contracts: old) } ?? []
            let newItems = becomes.map { items(of: $1, in: $0, contracts: new) } ?? []
            switch (was, becomes) {
            case (nil, let receiver?):
                changes.append(
                    .init(
                        kind: .receiverAdded, linkage: id, subject: system, subjectName: name(system),
                        delivery: receiver.1.delivery, items: newItems))
            case (let receiver?, nil):
                changes.append(
                    .init(
                        kind: .receiverRemoved, linkage: id, subject: system, subjectName: name(system),
                        delivery: receiver.1.delivery, items: oldItems))
            case (let previous?, let receiver?):
                let oldKeys = Set(oldItems.map(\.key))
                let newKeys = Set(newItems.map(\.key))
                let gained = newItems.filter { !oldKeys.contains($0.key) }
                let lost = oldItems.filter { !newKeys.contains($0.key) }
                if !gained.isEmpty {
                    changes.append(
                        .init(
                            kind: .itemsGained, linkage: id, subject: system, subjectName: name(system),
                            delivery: receiver.1.delivery, items: gained))
                }
                if !lost.isEmpty {
                    changes.append(
                        .init(
                            kind: .itemsLost, linkage: id, subject: system, subjectName: name(system),
                            delivery: previous.1.delivery, items: lost))
                }
            case (nil, nil):
                break
            }
        }
        return changes
    }

    /// The receiver's items as the bus would project them, in layout order.
    private func items(
        of receiver: Receiver, in linkage: Linkage, contracts: ContractSet
    ) -> [EntitlementChange
        .ChangedItem]
    {
        guard let layout = contracts.layout(linkage.layout) else { return [] }
        return Projection(layout: layout, keys: receiver.items).items.map(EntitlementChange.ChangedItem.init)
    }

    private func operatorChanges() -> [EntitlementChange] {
        let before = Set(old.operators.map(\.clientID))
        let after = Set(new.operators.map(\.clientID))
        var changes: [EntitlementChange] = []
        for clientID in Self.union(old.operators.map(\.clientID), new.operators.map(\.clientID)) {
            let name = (new.operator(clientID: clientID) ?? old.operator(clientID: clientID))?.name ?? clientID
            if !before.contains(clientID) {
                changes.append(.init(kind: .operatorAdded, subject: clientID, subjectName: name))
            } else if !after.contains(clientID) {
                changes.append(.init(kind: .operatorRemoved, subject: clientID, subjectName: name))
            }
        }
        return changes
    }

    /// Systems and operators that enter or leave the `mynumber` zone (an operator there may see 個人番号 unmasked).
    private func zoneChanges() -> [EntitlementChange] {
        let systems = new.systems.compactMap { system -> EntitlementChange? in
            guard let previous = old.system(system.id), previous.zone != system.zone else { return nil }
            return .init(
                kind: system.zone == .mynumber ? .zoneWidened : .zoneNarrowed, subject: system.id,
                subjectName: system.name)
        }
        let operators = new.operators.compactMap { op -> EntitlementChange? in
            guard let previous = old.operator(clientID: op.clientID), previous.zone != op.zone else { return nil }
            var change = EntitlementChange(
                kind: op.zone == .mynumber ? .zoneWidened : .zoneNarrowed, subject: op.clientID, subjectName: op.name)
            change.subjectIsOperator = true
            return change
        }
        return systems + operators
    }

    private func name(_ system: String) -> String {
        (new.system(system) ?? old.system(system))?.name ?? system
    }

    /// The values of both lists, those of `first` in their order, then those only in `second`.
    static func union<Value: Hashable>(_ first: [Value], _ second: [Value]) -> [Value] {
        var seen = Set(first)
        return first + second.filter { seen.insert($0).inserted }
    }
}
