import Testing

@testable import RenkeiContracts

/// The diff model on the sample contracts changed in code: what counts as growth, the review order, `items: all`.
@Suite struct ContractDiffTests {
    static func sample() throws -> ContractSet { try ContractLoader.load(directory: SampleContracts.directory) }

    /// `contracts` with one linkage replaced by `change(linkage)`.
    static func changing(
        _ contracts: ContractSet, linkage id: String, layouts: [Layout]? = nil, _ change: (inout Linkage) -> Void
    ) -> ContractSet {
        let linkages = contracts.linkages.map { linkage -> Linkage in
            var linkage = linkage
            if linkage.id == id { change(&linkage) }
            return linkage
        }
        return ContractSet(
            systems: contracts.systems, codeTables: contracts.codeTables, layouts: layouts ?? contracts.layouts,
            linkages: linkages, operators: contracts.operators)
    }

    @Test func sameContractsMakeAnEmptyDiff() throws {
        let contracts = try Self.sample()
        let diff = ContractDiff(old: contracts, new: contracts)
        #expect(diff.isEmpty)
        #expect(!diff.entitlementsGrow)
    }

    @Test func myNumberGainsComeBeforePersonalAndPlainGainsAndShrinksComeLast() throws {
        let old = try Self.sample()
        var new = Self.changing(old, linkage: "resident-change") { linkage in
            for index in linkage.receivers.indices where linkage.receivers[index].system == "C001" {
                linkage.receivers[index].items.removeAll { $0 == "relationship" }
                linkage.receivers[index].items += ["postal_code"]
            }
        }
        new = Self.changing(new, linkage: "resident-query") { linkage in
            for index in linkage.receivers.indices where linkage.receivers[index].system == "017" {
                linkage.receivers[index].items += ["my_number"]
            }
            for index in linkage.receivers.indices where linkage.receivers[index].system == "C001" {
                linkage.receivers[index].items += ["name"]
            }
        }
        let diff = ContractDiff(old: old, new: new)
        let summary = diff.entitlements.map {
            "\($0.kind.rawValue) \($0.linkage ?? "-") \($0.subject) \($0.items.map(\.key))"
        }
        #expect(
            summary == [
                "items-gained resident-query 017 [\"my_number\"]",
                "items-gained resident-query C001 [\"name\"]",
                "items-gained resident-change C001 [\"postal_code\"]",
                "items-lost resident-change C001 [\"relationship\"]",
            ])
        #expect(diff.entitlementsGrow)
        #expect(diff.changes.isEmpty)
    }

    @Test func anItemOfANewLayoutVersionIsAGainAndALayoutChange() throws {
        let old = try Self.sample()
        var layout = try #require(old.layout(named: "resident-record"))
        layout = Layout(
            id: layout.id, version: "1.1", title: layout.title,
            items: layout.items + [Item(name: "転入前住所", key: "previous_address", type: .string, sensitivity: .personal)])
        let new = Self.changing(old, linkage: "resident-change", layouts: old.layouts + [layout]) { linkage in
            linkage.layout = layout.reference
            for index in linkage.receivers.indices where linkage.receivers[index].system == "018" {
                linkage.receivers[index].items += ["previous_address"]
            }
        }
        let diff = ContractDiff(old: old, new: new)
        let gain = try #require(diff.entitlements.first)
        #expect(gain.kind == .itemsGained && gain.subject == "018" && gain.sensitivity == .personal)
        #expect(diff.entitlements.count == 1)
        #expect(
            diff.changes.contains(
                ContractChange(
                    category: .layout, subject: "resident-record@1.0 → 1.1",
                    field: "item 転入前住所 (previous_address)", old: nil, new: "string, personal")))
        #expect(
            diff.changes.contains(
                ContractChange(
                    category: .linkage, subject: "resident-change", field: "layout", old: "resident-record@1.0",
                    new: "resident-record@1.1")))
    }

    @Test func aLayoutEditedWithoutANewVersionIsShown() throws {
        let old = try Self.sample()
        let layout = try #require(old.layout(named: "resident-record"))
        var items = layout.items
        let index = try #require(layout.index(of: "name"))
        items[index].maxLength = 120
        let edited = Layout(id: layout.id, version: layout.version, title: layout.title, items: items)
        let new = ContractSet(
            systems: old.systems, codeTables: old.codeTables, layouts: [edited], linkages: old.linkages,
            operators: old.operators)
        let diff = ContractDiff(old: old, new: new)
        #expect(
            diff.changes == [
                ContractChange(
                    category: .layout, subject: "resident-record@1.0", field: "item 氏名 (name) max-length", old: "100",
                    new: "120")
            ])
        #expect(!diff.entitlementsGrow)
    }

    @Test func aLayoutWhoseReferenceDoesNotParseBackIsStillCompared() throws {
        let old = try Self.sample()
        let odd = Layout(id: "odd@layout", version: "", title: "奇妙", items: [])
        let new = ContractSet(
            systems: old.systems, codeTables: old.codeTables, layouts: old.layouts + [odd], linkages: old.linkages,
            operators: old.operators)
        #expect(
            ContractDiff(old: old, new: new).changes == [
                ContractChange(category: .layout, subject: "odd@layout@", old: nil, new: "奇妙")
            ])
    }

    @Test func aNewOperatorIsGrowthAndARemovedOneIsNot() throws {
        let old = try Self.sample()
        let added = Operator(clientID: "audit", name: "監査担当", secretSHA256: String(repeating: "a", count: 64))
        let grown = ContractSet(
            systems: old.systems, codeTables: old.codeTables, layouts: old.layouts, linkages: old.linkages,
            operators: old.operators + [added])
        #expect(ContractDiff(old: old, new: grown).entitlements.map(\.kind) == [.operatorAdded])
        #expect(ContractDiff(old: grown, new: old).entitlements.map(\.kind) == [.operatorRemoved])
        #expect(!ContractDiff(old: grown, new: old).entitlementsGrow)
    }
}
