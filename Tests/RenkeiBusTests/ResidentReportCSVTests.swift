import Foundation
import Testing

@testable import RenkeiBus

/// `ResidentReport.csv`, the report an operator opens in a spreadsheet: RFC 4180 quoting, and no cell a
/// spreadsheet would run as a formula.
@Suite struct ResidentReportCSVTests {
    static let header =
        "time,kind,linkage,provider,provider_name,receiver,receiver_name,purpose,items,outcome,reason,transfer,"
        + "in_key_list,contract,file,request_purpose,contract_version,operator\r\n"

    static func report(requestPurpose: String?, reason: String? = nil) -> ResidentReport {
        let line = ResidentReport.Line(
            time: Date(timeIntervalSince1970: 1_795_996_800.5), kind: .delivery, linkage: "resident-change",
            provider: ResidentReport.System(id: "001", name: "住民記録システム"),
            receiver: ResidentReport.System(id: "017", name: nil), purpose: "介護保険の資格管理, 賦課",
            requestPurpose: requestPurpose, contract: "resident-record@1.0", contractVersion: "83514f972220cb87",
            items: [
                ResidentReport.Item(key: "atena_number", name: "宛名番号"),
                ResidentReport.Item(key: "kana", name: nil),
            ],
            outcome: "ok", reason: reason, transfer: "t-1", inKeyList: true, offset: 12, file: nil)
        return ResidentReport(key: "1000000007", lines: [line], behind: 0, madeAt: Date())
    }

    @Test func aReportIsAHeaderAndOneQuotedRowPerLineWithCRLF() {
        let csv = Self.report(requestPurpose: #"転入届 "至急""#, reason: "line\nbreak").csv
        #expect(
            csv
                == Self.header
                + #"2026-11-30T00:00:00.500Z,delivery,resident-change,001,住民記録システム,017,,"介護保険の資格管理, 賦課","#
                + "宛名番号;kana,ok,\"line\nbreak\",t-1,true,resident-record@1.0,,"
                + #""転入届 ""至急""",83514f972220cb87,"# + "\r\n")
        #expect(ResidentReport(key: "1", lines: [], behind: nil, madeAt: Date()).csv == Self.header)
    }

    @Test func aRequestPurposeThatIsAFormulaIsWrittenAsText() {
        let csv = Self.report(requestPurpose: "=cmd|' /C calc'!A0").csv
        let row = csv.split(separator: "\r\n").last.map(String.init) ?? ""
        #expect(row.hasSuffix(",'=cmd|' /C calc'!A0,83514f972220cb87,"), "\(row)")
    }

    @Test(arguments: [
        ("=1+1", "'=1+1"), ("+81 3 1234", "'+81 3 1234"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindent", "'\tindent"), ("\rreturn", "\"'\rreturn\""), ("\r\nx", "\"'\r\nx\""), ("a\r\nb", "\"a\r\nb\""),
        ("=a,b", "\"'=a,b\""), ("=\"x\"", "\"'=\"\"x\"\"\""),
        ("a=b", "a=b"), ("", ""), ("'quoted", "'quoted"), ("住民-1", "住民-1"),
    ])
    func fieldsThatStartLikeAFormulaGetALeadingApostrophe(text: String, field: String) {
        #expect(ResidentReport.csvField(text) == field)
    }
}
