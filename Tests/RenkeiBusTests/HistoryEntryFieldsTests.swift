import Foundation
import Testing

@testable import RenkeiBus

/// `requestPurpose` and `contractVersion` are optional history fields: entries written before them read, hash and
/// verify exactly as before, and entries with them carry them through the fast parser and into the hash.
@Suite struct HistoryEntryFieldsTests {
    /// An entry as the version before these fields wrote it; its hash was computed independently (Python: sorted keys,
    /// no spaces, UTF-8 as is, `time` as milliseconds and `hash` empty).
    static let writtenBefore = Array(
        ##"{"chain":"gw-1","contract":"resident-record@1.0","events":["e-1"],"hash":"5de3090375b6373f8954a248c6193418161390c1f203de074c31f7651fde1bee","items":["atena_number","name"],"keys":["1000000007"],"kind":"provide","linkage":"resident-change","outcome":"ok","previousHash":"0000000000000000000000000000000000000000000000000000000000000000","provider":"001","purpose":"介護保険の資格管理","receiver":"017","recordCount":1,"sequence":1,"time":"2026-11-30T00:00:00.000Z"}"##
            .utf8)

    @Test func anEntryWrittenBeforeTheFieldsHashesAndVerifiesAsItDid() throws {
        let entry = try #require(HistoryEntryParser.parse(Self.writtenBefore))
        #expect(entry.requestPurpose == nil && entry.contractVersion == nil)
        #expect(HistoryVerification.hash(of: entry) == entry.hash)
        // Written back, it is the same bytes: absent fields are not written as null.
        #expect(entry.serialized() == Self.writtenBefore)
        #expect(HistoryVerification.verify([(0, entry)]).isIntact)
    }

    @Test func theFieldsAreReadByTheFastParserAndCoveredByTheHash() throws {
        var entry = HistoryEntry(
            time: Date(timeIntervalSince1970: 1_795_996_800), kind: .query, linkage: "resident-query",
            contract: "resident-record@1.0", provider: "001", receiver: "C001", keys: ["1000000007"], outcome: "ok",
            requestPurpose: "転入届 受付番号2026-0412", contractVersion: "83514f972220cb87")
        entry.chain = "gw-1"
        entry.sequence = 1
        entry.previousHash = HistoryHashing.genesis
        entry.hash = HistoryVerification.hash(of: entry)
        let bytes = entry.serialized()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""requestPurpose":"転入届 受付番号2026-0412""#))
        #expect(text.contains(#""contractVersion":"83514f972220cb87""#))
        let parsed = try #require(HistoryEntryParser.parse(bytes))
        #expect(parsed == entry)
        #expect(HistoryVerification.verify([(0, parsed)]).isIntact)

        var altered = parsed
        altered.requestPurpose = "転出届 受付番号2026-0412"
        #expect(!HistoryVerification.verify([(0, altered)]).isIntact)
        altered = parsed
        altered.contractVersion = nil
        #expect(!HistoryVerification.verify([(0, altered)]).isIntact)
    }
}
