import Foundation
import Testing

@testable import RenkeiBus

/// ``HistoryEntryWriter`` writes the bytes `JSONEncoder` writes, for the stored form and for the hashed one, so
/// that entries written before and after it hash and read the same.
@Suite struct HistoryEntryWriterTests {
    static let time = Date(timeIntervalSince1970: 1_764_470_000.123)

    static let entries: [HistoryEntry] = {
        var full = HistoryEntry(
            time: time, kind: .provide, linkage: "resident-change", contract: "resident-record@1.0", provider: "001",
            receiver: "017", purpose: "介護保険の資格管理 \"quoted\" back\\slash a/b", keys: ["1000000007", "1000000014"],
            recordCount: 2, items: ["宛名番号", "氏名", "住所_方書"], transfer: "t-1",
            events: ["0b7f6e0a-3c1d-4c59-a1a2-5d2b9f2e8a11"], outcome: "ok", reason: "r", deadLetter: "dlq/0/12",
            file: "s3://bucket/x.csv", operatorID: "ops")
        full.requestPurpose = "転入届 受付番号2026-0412"
        full.contractVersion = "f1d0f918a832b716"
        full.chain = "wrk-a"
        full.sequence = 42
        full.previousHash = String(repeating: "ab", count: 32)
        full.hash = String(repeating: "cd", count: 32)
        let sparse = HistoryEntry(
            time: Date(timeIntervalSince1970: 0), kind: .deadLetter, linkage: "l", outcome: "quarantined")
        let odd = HistoryEntry(
            time: Date(timeIntervalSince1970: -1.5), kind: .refusal, linkage: "emoji 👩‍👩‍👧 \u{2028} \u{7f} ｶﾅ",
            keys: [""], outcome: "refused", reason: "unknown-linkage")
        return [full, sparse, odd]
    }()

    @Test(arguments: entries) func writesTheBytesJSONEncoderWrites(_ entry: HistoryEntry) throws {
        let stored = try #require(HistoryEntryWriter.write(entry, time: .text))
        #expect(
            String(decoding: stored, as: UTF8.self)
                == String(decoding: HistoryHashing.encodeByFoundation(entry), as: UTF8.self))
        let canonical = try #require(HistoryEntryWriter.write(entry, time: .milliseconds))
        #expect(
            String(decoding: canonical, as: UTF8.self)
                == String(decoding: HistoryHashing.encodeByFoundation(entry, canonical: true), as: UTF8.self))
        // And what it writes reads back as the same entry, its time to the millisecond.
        var read = try #require(HistoryEntry(serialized: stored))
        #expect(abs(read.time.timeIntervalSince(entry.time)) < 0.001)
        read.time = entry.time
        #expect(read == entry)
    }

    @Test func knowsEveryStoredPropertyOfAnEntry() {
        let properties = Set(Mirror(reflecting: Self.entries[0]).children.compactMap(\.label))
        #expect(
            properties == HistoryEntryWriter.fields,
            "HistoryEntry and HistoryEntryWriter differ: write the new fields in HistoryEntryWriter.write(_:time:)")
    }

    @Test func leavesControlCharactersAndKeyListsToJSONEncoder() {
        var control = Self.entries[1]
        control.reason = "line\nbreak"
        #expect(HistoryEntryWriter.write(control, time: .text) == nil)
        #expect(HistoryHashing.encode(control) == HistoryHashing.encodeByFoundation(control))
        var listed = Self.entries[1]
        listed.keyList = HistoryKeyList(topic: "renkei.history.keys", count: 1, sha256: "00", chunks: [])
        #expect(HistoryEntryWriter.write(listed, time: .text) == nil)
        #expect(HistoryHashing.encode(listed) == HistoryHashing.encodeByFoundation(listed))
    }
}
