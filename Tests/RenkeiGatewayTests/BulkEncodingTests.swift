import Foundation
import RenkeiCodec
import RenkeiContracts
import RenkeiTestSupport
import Testing

/// The bulk route reads the `charset` of `Content-Type`: CP932 and Shift_JIS bodies are decoded as they stream.
@Suite struct BulkEncodingTests {
    @Test func aShiftJISBodyWithItsCharsetIsAcceptedAndDeliveredAsUTF8() async throws {
        try await GatewayHarness.with { harness in
            let provider = try await harness.token("sys-001")
            let (body, utf8) = legacyCSV(Residents.csv(harness.bus.contracts, count: 400), rows: 300, .shiftJIS)
            let reply = try await harness.call(
                .POST, "/linkages/resident-change/transfers", token: provider,
                contentType: "text/csv; charset=Shift_JIS", body: body)
            #expect(reply.status == 201, "\(reply.text)")
            #expect(reply.json["accepted"] as? Int == 300)
            let receiver = try await harness.token("sys-002")
            let feed = try await harness.readFeed("resident-change", token: receiver, limit: 300)
            #expect(feed.records.count == 300)
            // The names (氏名, kanji) arrive as the UTF-8 they were before encoding.
            let layout = Residents.layout(harness.bus.contracts)
            var decoder = CSVRecordDecoder(schema: RecordSchema(layout: layout))
            let sent = decoder.decodeAll(utf8)
            let names = Set((0..<sent.count).compactMap { sent.value(record: $0, item: layout.index(of: "氏名")!) })
            let delivered = Set(
                feed.records.flatMap { ($0["data"] as? [String: Any] ?? [:]).values.compactMap { $0 as? String } })
            #expect(names.count > 100 && names.isSubset(of: delivered))
        }
    }

    @Test func aCP932BodyWithoutCharsetGetsOneErrorNamingCP932() async throws {
        try await GatewayHarness.with { harness in
            let provider = try await harness.token("sys-001")
            let body = legacyCSV(Residents.csv(harness.bus.contracts, count: 1200), rows: 1000).legacy
            let reply = try await harness.call(
                .POST, "/linkages/resident-change/transfers", token: provider, contentType: "text/csv", body: body)
            #expect(reply.status == 400)
            #expect(reply.json["code"] as? String == "unreadable-input")
            let detail = reply.json["detail"] as? String ?? ""
            #expect(
                detail.hasPrefix("The input is not UTF-8: it looks like CP932 (Shift_JIS); declare it"), "\(detail)")
            let errors = reply.json["errors"] as? [[String: Any]] ?? []
            #expect(errors.count == 1)
            #expect(errors.first?["reason"] as? String == "wrong-encoding")
        }
    }

    @Test func anUnknownCharsetIsUnsupportedMediaType() async throws {
        try await GatewayHarness.with { harness in
            let provider = try await harness.token("sys-001")
            let reply = try await harness.call(
                .POST, "/linkages/resident-change/transfers", token: provider,
                contentType: "text/csv; charset=euc-jp", body: Array("a\r\n".utf8))
            #expect(reply.status == 415)
            #expect(reply.json["code"] as? String == "unsupported-charset")
            #expect((reply.json["detail"] as? String ?? "").contains("euc-jp"))
        }
    }

    @Test func singleRecordsInALegacyCharsetAreSentToTransfers() async throws {
        try await GatewayHarness.with { harness in
            let provider = try await harness.token("sys-001")
            let reply = try await harness.call(
                .POST, "/linkages/resident-change/records", token: provider, contentType: "text/csv; charset=cp932",
                body: Array("a\r\n".utf8))
            #expect(reply.status == 415)
            #expect((reply.json["detail"] as? String ?? "").contains("/transfers"))
        }
    }
}
