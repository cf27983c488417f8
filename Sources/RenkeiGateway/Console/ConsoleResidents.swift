import Foundation
import HTTPTypes
import Hummingbird
import RenkeiBus

/// "Who received what about resident R": every provide, delivery (bulk transfers and files included, through their
/// key lists), query, replay and dead letter the history holds about one 宛名番号, with systems, purposes, items and
/// contract versions — never a value. Exported as CSV or as a page for printing, for a disclosure request.
struct ConsoleResidents {
    let gateway: Gateway

    /// The key of the query string; a key is at most 64 characters (宛名番号 are 15 digits).
    private func key(_ request: Request) throws -> String? {
        guard let text = request.uri.queryParameters["key"].map(String.init), !text.isEmpty else { return nil }
        let key = text.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.count <= 64 else {
            throw ConsoleError.badForm("宛名番号は64文字までです / A resident key is at most 64 characters.")
        }
        return key
    }

    /// The report of `key`, the lookup first written to the history; `complete` refuses (503) while the index is
    /// behind, for exports handed to a resident.
    private func report(
        _ key: String, _ context: GatewayRequestContext, _ how: Bus.HistoryReadKind, complete: Bool = false
    ) async throws -> ResidentReport {
        try await gateway.bus.recordHistoryRead(key: key, operatorID: try context.grant.principal.clientID, how: how)
        let current = await gateway.bus.history.catchUp(within: .seconds(complete ? 10 : 2))
        if complete, !current {
            throw ConsoleError(
                .serviceUnavailable,
                "履歴索引が追いついていません / The history index is \(gateway.bus.history.behind ?? 0) offsets behind "
                    + "the history topic, so an export now could miss entries; try again in a while.")
        }
        return try await ResidentReport.make(key: key, indexer: gateway.bus.history, contracts: gateway.contracts)
    }

    func page(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let session = try context.session
        let key = try key(request)
        var result: HTML = .empty
        if let key {
            let report = try await report(key, context, .viewed)
            let query = FormFields.query([("key", key)])
            result = """
                <p class="actions"><a id="export-csv" href="/console/residents/export.csv?\(query)" download>CSVで出力 / \
                Export CSV</a> <a id="export-print" href="/console/residents/print?\(query)">印刷用 / Print view</a></p>
                \(Self.timeline(report))
                """
        }
        let content: HTML = """
            <h1>住民の連携履歴 / A resident's linkage history</h1>
            <form id="resident-form" method="get" action="/console/residents" class="card filters">
            <label for="key">宛名番号 / Resident key</label>
            <input id="key" name="key" value="\(key ?? "")" inputmode="numeric" autocomplete="off" required>
            <button type="submit">検索 / Search</button>
            </form>
            \(result)
            """
        return ConsolePage(title: "住民 / Resident", section: .residents, session: session, content: content).response()
    }

    func printable(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        guard let key = try key(request) else { throw ConsoleError.badForm("宛名番号を指定してください / Give ?key=.") }
        let report = try await report(key, context, .printed, complete: true)
        let content: HTML = """
            <h1>連携履歴 / Linkage history — 宛名番号 \(key)</h1>
            <p>作成 / Made \(ConsoleTime.text(report.madeAt)) · 作成者 / by \(try context.session.name) \
            (\(try context.session.clientID)) · \(report.lines.count) 件 / entries. 値は記録されません / Values are \
            never recorded.</p>
            \(Self.timeline(report))
            """
        return ConsolePage(title: "連携履歴 \(key)", session: context.consoleSession, content: content, printable: true)
            .response()
    }

    func csv(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        guard let key = try key(request) else { throw ConsoleError.badForm("宛名番号を指定してください / Give ?key=.") }
        let report = try await report(key, context, .exported, complete: true)
        var headers = ConsolePage.securityHeaders
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"resident-\(FormFields.encode(key)).csv\""
        // A byte order mark, so that spreadsheet programs read the Japanese as UTF-8.
        return Response(
            status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "\u{FEFF}" + report.csv)))
    }

    static func timeline(_ report: ResidentReport) -> HTML {
        // Operators' lookups are entries too (a disclosure lists who looked), but not linkages of the resident's data.
        let empty: HTML =
            report.lines.allSatisfy { $0.kind == .historyRead }
            ? """
            <p id="timeline-empty" role="status">この宛名番号の連携はありません / The history holds no linkage about \
            this resident\(report.lines.isEmpty ? "" : ", only operators' lookups").</p>
            """ : .empty
        guard !report.lines.isEmpty else { return empty }
        let rows = report.lines.map { line -> HTML in
            func system(_ system: ResidentReport.System?) -> HTML {
                guard let system else { return "—" }
                return "<span class=\"code\">\(system.id)</span> \(system.name ?? "")"
            }
            var via: HTML = .empty
            if let transfer = line.transfer {
                via =
                    "<br><small class=\"via\">一括転送 / bulk transfer <span class=\"code\">\(transfer)</span>\(line.inKeyList ? "（キー一覧 / key list）" : "")</small>"
            } else if line.inKeyList {
                via = "<br><small class=\"via\">キー一覧 / found in the key list</small>"
            }
            let file: HTML = line.file.map { "<br><small>ファイル / file \($0)</small>" } ?? .empty
            let operatorNote: HTML = line.operatorID.map { "<br><small>操作者 / operator \($0)</small>" } ?? .empty
            let items = line.items.map { $0.name ?? $0.key }.joined(separator: "、")
            let contract = (line.contract ?? "—") + (line.contractVersion.map { " v\($0)" } ?? "")
            return """
                <tr class="kind-\(line.kind.rawValue)"><td>\(ConsoleTime.text(line.time))</td>\
                <td>\(line.kind.rawValue)</td><td>\(line.linkage)</td>\
                <td>\(system(line.provider)) → \(system(line.receiver))</td>\
                <td>\(line.purpose ?? "—")\(line.requestPurpose.map { "<br><small>依頼 / request: \($0)</small>" as HTML } ?? .empty)</td>\
                <td class="items">\(items.isEmpty ? "—" : items)</td>\
                <td>\(line.outcome)\(line.reason.map { " (\($0))" } ?? "")\(via)\(file)\(operatorNote)</td>\
                <td>\(contract)</td></tr>
                """
        }
        let behind: HTML =
            switch report.behind {
            case 0: .empty
            case nil:
                "<p role=\"status\" class=\"warning\">履歴索引は同期前です / The history index has not synced yet: entries may be missing.</p>"
            case let offsets?:
                "<p role=\"status\" class=\"warning\">履歴索引が \(Int(offsets)) 件遅れています / The index is behind the history topic: newer entries may be missing.</p>"
            }
        return """
            \(behind)\(empty)
            <table id="timeline"><caption>\(report.lines.count) 件（古い順） / entries, oldest first</caption>
            <thead><tr><th scope="col">日時 / Time</th><th scope="col">種別 / Kind</th><th scope="col">リンケージ / \
            Linkage</th><th scope="col">提供元 → 受信 / From → to</th><th scope="col">目的 / Purpose</th>\
            <th scope="col">項目 / Items</th><th scope="col">結果 / Outcome</th><th scope="col">契約 / Contract</th>\
            </tr></thead><tbody>\(rows)</tbody></table>
            """
    }
}
