import Foundation
import RenkeiContracts

/// The state of one what-if walk: the findings so far and the provide entries of the submission being read (one
/// entry per receiver, written together, so they come one after another in time order).
struct WhatIfWalk {
    let rules: ContractWhatIf
    let index: HistoryIndex
    var findings: [Key: WhatIfFinding] = [:]
    private var submission: [HistoryEntry] = []
    /// Sample keys of key lists already read, by list: every receiver's entry of a transfer shares one.
    private var listSamples: [HistoryKeyList: [String]] = [:]
    /// Proposed entitlements already worked out, by linkage and receiver: every entry of a receiver asks again.
    private var entitlements: [[String]: (keys: [String], set: Set<String>)] = [:]

    struct Key: Hashable {
        var kind: WhatIfFinding.Kind
        var linkage: String
        var receiver: String?
        var system: String?
        var reason: String?
        var items: [String]
    }

    init(rules: ContractWhatIf, index: HistoryIndex) {
        self.rules = rules
        self.index = index
    }

    mutating func take(_ item: HistoryPage.Item) async throws {
        let entry = item.entry
        if entry.kind == .provide, let first = submission.first, Self.sameSubmission(first, entry),
            !submission.contains(where: { $0.receiver == entry.receiver })
        {
            submission.append(entry)
            return
        }
        try await finish()
        switch entry.kind {
        case .provide: submission = [entry]
        case .delivery, .replay: try await delivery(entry)
        case .query: try await query(entry)
        case .refusal: try await refusal(entry)
        case .deadLetter, .deadLetterRead, .historyRead: break
        }
    }

    /// Decides the submission being read, if any.
    mutating func finish() async throws {
        guard let first = submission.first else { return }
        let entries = submission
        submission = []
        var counts = WhatIfFinding.Counts()
        counts.provides = 1
        counts.records = first.recordCount
        let rules = self.rules  // read by the refusal while `admitted` may note findings
        guard
            let linkage = try await admitted(
                first, counts, by: first.provider, refusal: { rules.provideRefusal(provider: first.provider, $0) })
        else { return }
        for entry in entries { try await receiverChange(entry, linkage: linkage, counts: counts) }
        let receivers = Set(entries.compactMap(\.receiver))
        for receiver in linkage.receivers where !receivers.contains(receiver.system) {
            try await note(
                Key(
                    .newReceiver, linkage.id, receiver: receiver.system,
                    items: rules.entitlement(linkage, receiver: receiver.system)),
                counts, first, linkage: linkage)
        }
    }

    /// The proposed linkage of `entry` when it still exists and `refusal` finds nothing against `system`; otherwise
    /// notes that the entry's linkage is gone or that `system` would have been refused, and returns `nil`.
    private mutating func admitted(
        _ entry: HistoryEntry, _ counts: WhatIfFinding.Counts, by system: String?, refusal: (Linkage) -> String?
    ) async throws -> Linkage? {
        guard let linkage = rules.proposed.linkage(entry.linkage) else {
            try await note(Key(.linkageRemoved, entry.linkage), counts, entry)
            return nil
        }
        if let reason = refusal(linkage) {
            try await note(Key(.wouldBeRefused, linkage.id, system: system, reason: reason), counts, entry)
            return nil
        }
        return linkage
    }

    /// A push, file or Kafka delivery, or a replay, to one receiver.
    private mutating func delivery(_ entry: HistoryEntry) async throws {
        guard entry.receiver != nil else { return }
        var counts = WhatIfFinding.Counts()
        if entry.kind == .replay {
            counts.replays = 1
            counts.records = entry.recordCount
        } else {
            counts.deliveries = 1
        }
        let rules = self.rules  // read by the refusal while `admitted` may note findings
        guard
            let linkage = try await admitted(
                entry, counts, by: entry.provider, refusal: { rules.provideRefusal(provider: entry.provider, $0) })
        else { return }
        try await receiverChange(entry, linkage: linkage, counts: counts)
    }

    private mutating func query(_ entry: HistoryEntry) async throws {
        var counts = WhatIfFinding.Counts()
        counts.queries = 1
        counts.records = entry.recordCount
        let rules = self.rules  // read by the refusal while `admitted` may note findings
        guard
            let linkage = try await admitted(
                entry, counts, by: entry.receiver, refusal: { rules.queryRefusal(asker: entry.receiver, $0) })
        else { return }
        // A query that was not answered moved no items.
        guard entry.outcome == "ok" else { return }
        try await receiverChange(entry, linkage: linkage, counts: counts)
    }

    /// A refused submission that the proposed contracts would accept: the reasons that depend only on who provides
    /// what (not on the records, which the history does not hold).
    private mutating func refusal(_ entry: HistoryEntry) async throws {
        let decidable: Set<String> = [
            ProvideError.Code.notTheProvider.rawValue, ProvideError.Code.unknownLinkage.rawValue,
            ProvideError.Code.notAProvideLinkage.rawValue,
        ]
        guard let reason = entry.reason, decidable.contains(reason), let provider = entry.provider,
            let linkage = rules.proposed.linkage(entry.linkage),
            rules.provideRefusal(provider: provider, linkage) == nil
        else { return }
        var counts = WhatIfFinding.Counts()
        counts.refusals = 1
        counts.records = entry.recordCount
        try await note(Key(.wouldBeAccepted, linkage.id, system: provider, reason: reason), counts, entry)
    }

    /// What changes for the receiver of `entry`, which got the entry's items.
    private mutating func receiverChange(
        _ entry: HistoryEntry, linkage: Linkage, counts: WhatIfFinding.Counts
    ) async throws {
        guard let receiver = entry.receiver else { return }
        guard linkage.receiver(receiver) != nil else {
            return try await note(Key(.notDelivered, linkage.id, receiver: receiver), counts, entry)
        }
        // An entry that does not name its items cannot be compared.
        guard let got = entry.items else { return }
        let entitled = entitlement(linkage, receiver: receiver)
        // Both lists are in layout order: the common case, nothing changed, is one comparison.
        guard got != entitled.keys else { return }
        let gained = entitled.keys.filter { !got.contains($0) }
        let lost = got.filter { !entitled.set.contains($0) }
        if !gained.isEmpty {
            try await note(
                Key(.itemsSent, linkage.id, receiver: receiver, items: gained), counts, entry, linkage: linkage)
        }
        if !lost.isEmpty {
            try await note(
                Key(.itemsWithheld, linkage.id, receiver: receiver, items: lost), counts, entry, linkage: linkage)
        }
    }

    private mutating func entitlement(
        _ linkage: Linkage, receiver: String
    ) -> (keys: [String], set: Set<String>) {
        if let known = entitlements[[linkage.id, receiver]] { return known }
        let keys = rules.entitlement(linkage, receiver: receiver)
        entitlements[[linkage.id, receiver]] = (keys, Set(keys))
        return (keys, Set(keys))
    }

    /// Adds `counts` of `entry` to the finding `key`, starting it when new, and takes sample keys until it has enough.
    private mutating func note(
        _ key: Key, _ counts: WhatIfFinding.Counts, _ entry: HistoryEntry, linkage: Linkage? = nil
    ) async throws {
        var finding =
            findings[key]
            ?? WhatIfFinding(
                kind: key.kind, linkage: key.linkage, receiver: key.receiver, system: key.system, reason: key.reason,
                items: key.items.map { rules.describe($0, entry: entry, linkage: linkage) },
                counts: WhatIfFinding.Counts(), samples: [], first: entry.time, last: entry.time)
        finding.counts = finding.counts + counts
        finding.last = max(finding.last, entry.time)
        if finding.samples.count < rules.samples {
            for sample in try await keys(of: entry) where !finding.samples.contains(sample) {
                guard finding.samples.count < rules.samples else { break }
                finding.samples.append(sample)
            }
        }
        findings[key] = finding
    }

    /// The record keys of `entry` to sample from: those it lists, or the first of its key list.
    private mutating func keys(of entry: HistoryEntry) async throws -> [String] {
        if !entry.keys.isEmpty { return Array(entry.keys.prefix(rules.samples)) }
        guard let list = entry.keyList else { return [] }
        if let known = listSamples[list] { return known }
        let found = try await index.keys(in: list, limit: rules.samples)
        listSamples[list] = found
        return found
    }

    /// Whether two provide entries were written by one submission (one entry per receiver).
    private static func sameSubmission(_ a: HistoryEntry, _ b: HistoryEntry) -> Bool {
        a.linkage == b.linkage && a.provider == b.provider && a.time == b.time && a.transfer == b.transfer
            && a.keyList == b.keyList && a.keys == b.keys && a.events == b.events && a.recordCount == b.recordCount
            && a.chain == b.chain
    }
}

extension WhatIfWalk.Key {
    init(
        _ kind: WhatIfFinding.Kind, _ linkage: String, receiver: String? = nil, system: String? = nil,
        reason: String? = nil, items: [String] = []
    ) {
        self.init(kind: kind, linkage: linkage, receiver: receiver, system: system, reason: reason, items: items)
    }
}
