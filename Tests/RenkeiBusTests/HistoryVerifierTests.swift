import Foundation
import RenkeiBus
import Testing

/// The incremental verifier on its own: entries fed one at a time, as the streaming read does.
@Suite struct HistoryVerifierTests {
    /// Fed in topic order (unreadable offsets where they are), it finds what the array wrapper finds.
    @Test func feedingOneByOneFindsWhatTheArrayWrapperFinds() throws {
        var chains = SyntheticChains()
        var entries = chains.append(40, chains: ["a", "b", "c"])
        entries[7].entry.receiver = "tampered"
        entries.remove(at: 20)
        // Two entries of chain b trade places; the offsets stay where they are.
        (entries[30].entry, entries[33].entry) = (entries[33].entry, entries[30].entry)
        let unreadable: [Int64] = [12]
        entries.removeAll { unreadable.contains($0.offset) }

        let wrapped = HistoryVerification.verify(entries, unreadable: unreadable)
        var verifier = HistoryVerifier()
        for offset in Int64(0)..<40 {
            if unreadable.contains(offset) { verifier.unreadable(offset: offset) }
            if let item = entries.first(where: { $0.offset == offset }) {
                verifier.check(offset: item.offset, entry: item.entry)
            }
        }
        let streamed = verifier.report(end: 40)

        #expect(!streamed.isIntact)
        #expect(Set(streamed.problems) == Set(wrapped.problems))
        #expect(streamed.problemCount == wrapped.problemCount)
        #expect(streamed.problemCount == wrapped.problems.count)
        #expect(streamed.entries == wrapped.entries)
        #expect(streamed.chains == 3)
        #expect(streamed.problems.contains { $0.offset == 7 && $0.reason.contains("changed") })
        #expect(streamed.problems.contains { $0.offset == 12 && $0.reason.contains("not readable") })
        #expect(streamed.problems.contains { $0.reason.contains("missing") })
        #expect(streamed.problems.contains { $0.reason.contains("reordered") })
        #expect(streamed.checkpoint == nil, "no checkpoint anchors a history that is not intact")
    }

    @Test func anIntactHistoryEndsWithACheckpointOfEveryChainHead() throws {
        var chains = SyntheticChains()
        let entries = chains.append(10, chains: ["a", "b"])
        let report = HistoryVerification.verify(entries)
        #expect(report.isIntact)
        let checkpoint = try #require(report.checkpoint)
        #expect(checkpoint.offset == 10)
        #expect(checkpoint.chains["a"] == HistoryCheckpoint.Anchor(sequence: 5, hash: entries[8].entry.hash, offset: 8))
        #expect(checkpoint.chains["b"] == HistoryCheckpoint.Anchor(sequence: 5, hash: entries[9].entry.hash, offset: 9))
        #expect(checkpoint.readFrom == 8)
        #expect(try HistoryCheckpoint(decoding: checkpoint.encoded()) == checkpoint)
    }

    @Test func keepsAThousandProblemsAndCountsThemAll() {
        var chains = SyntheticChains()
        let entries = chains.append(1500, chains: ["a"]).map { item in
            var entry = item.entry
            entry.outcome = "changed"
            return (offset: item.offset, entry: entry)
        }
        let report = HistoryVerification.verify(entries)
        #expect(report.problems.count == HistoryVerifier.problemLimit)
        #expect(report.problemCount == 1500)
        #expect(!report.isIntact)
        #expect(report.problems.last?.offset == 999, "the first ones, in topic order")
    }

    @Test func fromACheckpointChainsGoOnFromTheirHeads() throws {
        var chains = SyntheticChains()
        let before = chains.append(10, chains: ["a", "b"])
        let checkpoint = try #require(HistoryVerification.verify(before).checkpoint)
        let after = chains.append(6, chains: ["a", "b", "new"])

        var verifier = HistoryVerifier(from: checkpoint)
        for item in (before + after) where item.offset >= checkpoint.readFrom {
            verifier.check(offset: item.offset, entry: item.entry)
        }
        let report = verifier.report(end: 16)
        #expect(report.isIntact, "\(report.problems)")
        #expect(report.verifiedFrom == 10)
        #expect(report.entries == 8)
        #expect(report.chains == 3)
        #expect(report.checkpoint?.offset == 16)
        #expect(report.checkpoint?.chains["new"]?.sequence == 2)
    }

    @Test func aChangedHeadOrAShortTopicBreaksTheCheckpoint() throws {
        var chains = SyntheticChains()
        let before = chains.append(10, chains: ["a", "b"])
        let checkpoint = try #require(HistoryVerification.verify(before).checkpoint)

        var changed = HistoryVerifier(from: checkpoint)
        var head = before[9].entry
        head.receiver = "other"
        head.hash = HistoryVerification.hash(of: head)
        changed.check(offset: 8, entry: before[8].entry)
        changed.check(offset: 9, entry: head)
        let changedReport = changed.report(end: 10)
        #expect(changedReport.problems.map(\.offset) == [9])
        #expect(changedReport.problems.first?.reason.contains("recorded in the checkpoint is gone or changed") == true)

        var short = HistoryVerifier(from: checkpoint)
        short.check(offset: 8, entry: before[8].entry)
        let shortReport = short.report(end: 9)
        #expect(shortReport.problemCount == 2)
        #expect(shortReport.problems.contains { $0.reason.contains("below the checkpoint's offset 10") })
        #expect(shortReport.problems.contains { $0.chain == "b" && $0.reason.contains("gone or changed") })
    }

    @Test(arguments: [
        ("{", "it is not JSON"),
        (#"{"chains": {}}"#, "`offset` is missing"),
        (#"{"offset": "ten", "chains": {}}"#, "offset has the wrong type"),
        (#"{"offset": 5, "chains": {"a": {"sequence": 1, "hash": "00", "offset": 2}}}"#, "not 64 lowercase"),
        (
            #"{"offset": 5, "chains": {"a": {"sequence": 1, "hash": "\#(String(repeating: "0", count: 64))", "offset": 7}}}"#,
            "cannot be a head below offset 5"
        ),
    ])
    func malformedCheckpointsSayWhatIsWrong(text: String, reason: String) {
        let error = #expect(throws: HistoryCheckpoint.Malformed.self) {
            _ = try HistoryCheckpoint(decoding: Data(text.utf8))
        }
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "no error")")
    }
}

/// Hash chains as bus instances write them, interleaved in one topic, with the offsets they get there.
struct SyntheticChains {
    private var heads: [String: (sequence: Int, hash: String)] = [:]
    private(set) var nextOffset: Int64 = 0

    /// `count` more entries, taking `chains` in turn.
    mutating func append(_ count: Int, chains: [String]) -> [(offset: Int64, entry: HistoryEntry)] {
        (0..<count).map { index in
            let chain = chains[index % chains.count]
            let head = heads[chain] ?? (0, String(repeating: "0", count: 64))
            var entry = HistoryEntry(
                time: Date(timeIntervalSince1970: 1_700_000_000 + Double(nextOffset)), kind: .provide,
                linkage: "resident-change", provider: "001", receiver: "018", keys: ["\(nextOffset)"], outcome: "ok")
            entry.chain = chain
            entry.sequence = head.sequence + 1
            entry.previousHash = head.hash
            entry.hash = HistoryVerification.hash(of: entry)
            heads[chain] = (entry.sequence, entry.hash)
            defer { nextOffset += 1 }
            return (nextOffset, entry)
        }
    }
}
