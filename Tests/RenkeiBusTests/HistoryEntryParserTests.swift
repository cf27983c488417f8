import Foundation
import Testing

@testable import RenkeiBus

/// The fast history entry parser reads exactly what `JSONDecoder` reads, and gives way to it for the rest.
@Suite struct HistoryEntryParserTests {
    private func sealed(_ draft: HistoryEntry, sequence: Int = 3) -> HistoryEntry {
        var entry = draft
        entry.chain = "instance-1"
        entry.sequence = sequence
        entry.previousHash = String(repeating: "a", count: 64)
        entry.hash = HistoryVerification.hash(of: entry)
        return entry
    }

    private var samples: [HistoryEntry] {
        let list = HistoryKeyList(
            topic: BusTopics.historyKeys, count: 3, sha256: String(repeating: "b", count: 64),
            chunks: [.init(partition: 2, offset: 17, keys: 3, sha256: String(repeating: "c", count: 64))])
        return [
            sealed(
                HistoryEntry(
                    time: Date(timeIntervalSince1970: 1_790_000_000.123), kind: .provide, linkage: "resident-change",
                    contract: "resident-record@1.0", provider: "001", receiver: "018", purpose: "国民健康保険の資格管理",
                    keys: ["1000000007"], items: ["atena_number", "氏名"], events: ["e-1"], outcome: "ok")),
            sealed(
                HistoryEntry(
                    time: Date(timeIntervalSince1970: 951_782_400), kind: .provide, linkage: "register",
                    provider: "001", receiver: "C001", recordCount: 3, keyList: list, items: [], transfer: "t-1",
                    outcome: "ok")),
            sealed(
                HistoryEntry(
                    kind: .refusal, linkage: "x", provider: "a \"quoted\" \\ name/with/slash", outcome: "refused",
                    reason: "not-the-provider")),
            sealed(
                HistoryEntry(
                    kind: .deadLetter, linkage: "x", keys: ["k1", "k2"], outcome: "failed", reason: "line\nbreak",
                    deadLetter: "renkei.dlq.x.y/0/12")),
        ]
    }

    @Test func readsEveryEntryAsJSONDecoderDoes() throws {
        for entry in samples {
            let bytes = entry.serialized()
            let fast = try #require(HistoryHashing.decode(bytes))
            let slow = try HistoryHashing.decoder.decode(HistoryEntry.self, from: Data(bytes))
            #expect(fast.serialized() == slow.serialized())
            #expect(HistoryVerification.hash(of: fast) == entry.hash)
            #expect(HistoryHashing.decode(bytes)?.serialized() == bytes)
        }
    }

    @Test func givesWayOnWhatItDoesNotKnow() {
        let entry = samples[0]
        var text = String(decoding: entry.serialized(), as: UTF8.self)
        // A control character escape goes to JSONDecoder, which reads it.
        #expect(HistoryEntryParser.parse(samples[3].serialized()) == nil)
        #expect(HistoryHashing.decode(samples[3].serialized())?.reason == "line\nbreak")
        // A field from a later version, a number where a string belongs, trailing bytes, a date that is no date.
        text.removeLast()
        #expect(HistoryEntryParser.parse(Array((text + #","future":1}"#).utf8)) == nil)
        #expect(HistoryEntryParser.parse(Array((text + "} ").utf8)) == nil)
        let wrongType = String(decoding: entry.serialized(), as: UTF8.self).replacingOccurrences(
            of: #""linkage":"resident-change""#, with: #""linkage":12"#)
        #expect(HistoryEntryParser.parse(Array(wrongType.utf8)) == nil)
        #expect(HistoryHashing.decode(Array(wrongType.utf8)) == nil)
        // A date the writer never writes is read as Foundation reads it.
        let badDate = Array(
            String(decoding: entry.serialized(), as: UTF8.self).replacingOccurrences(
                of: Timestamp.format(entry.time), with: "2026-02-30T00:00:00.000Z"
            ).utf8)
        #expect(
            HistoryHashing.decode(badDate)?.time
                == (try? HistoryHashing.decoder.decode(HistoryEntry.self, from: Data(badDate)))?.time)
    }

    @Test func readsLeapDaysAndMilliseconds() throws {
        for text in ["2024-02-29T23:59:59.999Z", "2000-02-29T00:00:00.000Z", "1970-01-01T00:00:00.001Z"] {
            var entry = samples[0]
            entry.time = try #require(Timestamp.parse(text))
            let parsed = try #require(HistoryEntryParser.parse(entry.serialized()))
            #expect(Timestamp.format(parsed.time) == text)
        }
    }
}
