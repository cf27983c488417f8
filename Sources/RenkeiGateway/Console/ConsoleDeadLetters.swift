import Foundation
import Hummingbird
import RenkeiBus
import RenkeiContracts

/// Dead letters in the console: a filtered list (letters already replayed hidden unless asked for), one letter with
/// its record masked as the operator's scopes say, a dry run of one or many, and their replay with progress.
struct ConsoleDeadLetters {
    /// The most letters one dry run or replay takes; a larger set is narrowed by the filter first.
    static let maxBatch = 1_000
    /// The most rows the list shows.
    static let maxRows = 500

    let gateway: Gateway
    let jobs: ConsoleReplayJobs

    static func path(_ reference: String) -> String {
        "/console/dead-letters/"
            + reference.split(separator: "/").map { FormFields.encode(String($0)) }
            .joined(separator: "/")
    }

    /// The filter of a query string or a form: linkage, receiver, reason, and times as `datetime-local` (Japan
    /// time) or ISO 8601.
    private func filter(_ fields: FormFields) throws -> DeadLetterFilter {
        func date(_ name: String) throws -> Date? {
            guard let text = fields[name] else { return nil }
            guard let date = ConsoleTime.parse(text, end: name == "until") else {
                throw ConsoleError.badForm("`\(name)` は日時です / `\(name)` is a date and time (2026-11-30T09:00).")
            }
            return date
        }
        return DeadLetterFilter(
            linkage: fields["linkage"], receiver: fields["receiver"], reason: fields["reason"],
            since: try date("since"),
            until: try date("until"))
    }

    private func queryFields(_ request: Request) -> FormFields {
        FormFields(encoded: Array((request.uri.query ?? "").utf8)) ?? FormFields()
    }

    func list(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let session = try context.session
        let fields = queryFields(request)
        let filter = try filter(fields)
        let includeReplayed = fields["replayed"] == "include"
        let letters = try await DeadLetterReader(bus: gateway.bus).list(filter)
        let current = await gateway.bus.history.catchUp(within: .seconds(2))
        let replays = try await gateway.bus.history.replays(of: letters.map(\.reference.description))
        let behind: HTML =
            current
            ? .empty
            : """
            <p role="status" class="warning">履歴索引が追いついていません / The history index is behind the history \
            topic: letters replayed recently may still be listed.</p>
            """
        let shown = letters.filter { includeReplayed || replays[$0.reference.description] == nil }
        let rows = shown.prefix(Self.maxRows).map { letter -> HTML in
            let reference = letter.reference.description
            let replayed: HTML =
                replays[reference].map { "<br><small>再送 / replayed \(ConsoleTime.text($0))</small>" }
                ?? .empty
            return """
                <tr data-reference="\(reference)"><td><input type="checkbox" name="reference" value="\(reference)" \
                form="replay-form" aria-label="選択 / select \(reference)"></td>\
                <td><a href="\(Self.path(reference))"><span class="code">\(reference)</span></a>\(replayed)</td>\
                <td>\(letter.linkage ?? "—")</td><td>\(letter.receiver ?? "—")</td><td>\(letter.stage)</td>\
                <td>\(letter.reasons.joined(separator: ", "))</td>\
                <td>\(letter.lastFailure.map(ConsoleTime.text) ?? "—")</td></tr>
                """
        }
        let linkageOptions =
            [HTML("<option value=\"\">すべて / all</option>")]
            + gateway.contracts.linkages.map { linkage in
                "<option value=\"\(linkage.id)\"\(flag: "selected", filter.linkage == linkage.id)>\(linkage.id)</option>"
            }
        let hidden = ["linkage", "receiver", "reason", "since", "until"].compactMap { name -> HTML? in
            fields[name].map { "<input type=\"hidden\" name=\"\(name)\" value=\"\($0)\">" }
        }
        let table: HTML =
            shown.isEmpty
            ? "<p id=\"dead-letters-empty\" role=\"status\">デッドレターはありません / No dead letters</p>"
            : """
            <table id="dead-letters"><caption>\(shown.count) 件 / letters\
            \(shown.count > Self.maxRows ? "（先頭\(Self.maxRows)件を表示 / first \(Self.maxRows) shown）" : "")</caption>
            <thead><tr><th scope="col"><input type="checkbox" id="select-all" aria-label="すべて選択 / Select all"></th>\
            <th scope="col">参照 / Reference</th><th scope="col">リンケージ / Linkage</th>\
            <th scope="col">受信 / Receiver</th><th scope="col">段階 / Stage</th><th scope="col">理由 / Reasons</th>\
            <th scope="col">最終失敗 / Last failure</th></tr></thead><tbody>\(rows)</tbody></table>
            """
        let content: HTML = """
            <h1>デッドレター / Dead letters</h1>
            <form id="filter" method="get" action="/console/dead-letters" class="card filters">
            <label>リンケージ / Linkage<select name="linkage">\(linkageOptions)</select></label>
            <label>受信 / Receiver<input name="receiver" value="\(filter.receiver ?? "")" size="6"></label>
            <label>理由 / Reason<input name="reason" value="\(filter.reason ?? "")" size="14"></label>
            <label>から / Since<input type="datetime-local" name="since" value="\(fields["since"] ?? "")"></label>
            <label>まで / Until<input type="datetime-local" name="until" value="\(fields["until"] ?? "")"></label>
            <label class="check"><input type="checkbox" name="replayed" value="include"\
            \(flag: "checked", includeReplayed)> 再送済みも表示 / include replayed</label>
            <button type="submit">絞り込む / Filter</button>
            </form>
            <form id="replay-form" method="post" action="/console/dead-letters/dry-run">
            \(ConsolePage.csrfField(session))\(hidden)
            <button type="submit" id="dry-run-selected">ドライラン / Dry run</button>
            <button type="submit" id="dry-run-all" name="all" value="true">絞り込み結果をすべてドライラン / Dry run all \
            matching</button>
            </form>
            \(behind)\(table)
            """
        return ConsolePage(
            title: "デッドレター / Dead letters", section: .deadLetters, session: session, content: content
        ).response()
    }

    func show(_ context: GatewayRequestContext) async throws -> Response {
        let session = try context.session
        let text = ["topic", "partition", "offset"].map { context.parameters.get($0) ?? "" }.joined(separator: "/")
        guard let reference = DeadLetterReference(parsing: text) else {
            throw ConsoleError(
                .badRequest, "デッドレターは topic/partition/offset で指定します / A dead letter is named topic/partition/offset.")
        }
        guard let letter = try await DeadLetterReader(bus: gateway.bus).show(reference) else {
            throw ConsoleError(.notFound, "デッドレター \(reference) はありません / There is no dead letter \(reference).")
        }
        let grant = try context.grant
        let access = gateway.deadLetterAccess(for: grant)
        try await gateway.bus.recordDeadLetterRead(letter, operatorID: grant.principal.clientID, access: access)
        let value = DeadLetterMasking.value(of: letter, access: access, contracts: gateway.contracts)
        let facts: [(String, String?)] = [
            ("参照 / Reference", reference.description), ("リンケージ / Linkage", letter.linkage),
            ("受信 / Receiver", letter.receiver), ("段階 / Stage", letter.stage),
            ("理由 / Reasons", letter.reasons.joined(separator: ", ")), ("内容 / Message", letter.message),
            ("試行 / Attempts", String(letter.attempts)), ("イベントID / Event id", letter.envelope?.id),
            ("宛名番号 / Key", letter.envelope?.subject), ("元トピック / Original topic", letter.originalTopic),
            ("行 / Row", letter.row.map(String.init)),
            ("最初の失敗 / First failure", letter.firstFailure.map(ConsoleTime.text)),
            ("最終失敗 / Last failure", letter.lastFailure.map(ConsoleTime.text)),
        ]
        let list = facts.compactMap { name, value -> HTML? in
            value.map { "<dt>\(name)</dt><dd>\($0)</dd>" }
        }
        let note: HTML =
            access == .masked
            ? "<p id=\"masked-note\">個人情報と個人番号は *** で伏せています / Personal items and 個人番号 are masked (***).</p>"
            : "<p id=\"masked-note\" class=\"warning\">伏せずに表示しています（閲覧は履歴に記録） / Shown unmasked; this read is in the history.</p>"
        let content: HTML = """
            <h1>デッドレター / Dead letter <span class="code">\(reference.description)</span></h1>
            <dl id="letter" class="card">\(list)</dl>
            \(note)
            <pre id="letter-value" class="card">\(value)</pre>
            <form method="post" action="/console/dead-letters/dry-run">
            \(ConsolePage.csrfField(session))
            <input type="hidden" name="reference" value="\(reference.description)">
            <button type="submit">ドライラン / Dry run</button>
            </form>
            <p><a href="/console/dead-letters">← 一覧へ / Back to the list</a></p>
            """
        return ConsolePage(
            title: "デッドレター / Dead letter", section: .deadLetters, session: session, content: content
        ).response()
    }

    /// The letters a dry-run or replay form names: its `reference` fields, or with `all=true` every letter matching
    /// the filter fields that was not replayed yet — each read once.
    private func letters(_ form: FormFields) async throws -> [DeadLetter] {
        let reader = DeadLetterReader(bus: gateway.bus)
        var letters: [DeadLetter] = []
        if form["all"] == "true" {
            letters = try await reader.list(try filter(form))
            await gateway.bus.history.catchUp(within: .seconds(5))
            let replays = try await gateway.bus.history.replays(of: letters.map(\.reference.description))
            letters = letters.filter { replays[$0.reference.description] == nil }
        } else {
            var references: [DeadLetterReference] = []
            for text in form.all("reference") {
                guard let reference = DeadLetterReference(parsing: text) else {
                    throw ConsoleError.badForm("`\(text)` はデッドレターの参照ではありません / is not a dead letter reference.")
                }
                references.append(reference)
            }
            guard references.count <= Self.maxBatch else { throw Self.tooMany(references.count) }
            letters = try await reader.letters(references)
            if let missing = references.first(where: { reference in !letters.contains { $0.reference == reference } }) {
                throw ConsoleError(.notFound, "デッドレター \(missing) はありません / There is no dead letter \(missing).")
            }
        }
        guard !letters.isEmpty else {
            throw ConsoleError.badForm("デッドレターを選んでください / Select at least one dead letter.")
        }
        guard letters.count <= Self.maxBatch else { throw Self.tooMany(letters.count) }
        return letters
    }

    private static func tooMany(_ count: Int) -> ConsoleError {
        ConsoleError.badForm(
            "\(count) 件は多すぎます / \(count) letters are more than one run takes (\(maxBatch)); narrow the filter.")
    }

    func dryRun(_ context: GatewayRequestContext) async throws -> Response {
        let session = try context.session
        let letters = try await letters(context.consoleForm ?? FormFields())
        let results: [Result<ReplayOutcome, ReplayError>]
        do {
            results = try await gateway.bus.dryRun(letters)
        } catch let error as ReplayError {
            throw ConsoleError(.serviceUnavailable, "履歴索引の構築中です / \(error.description)")
        }
        let rows = zip(letters, results).map { letter, result in
            switch result {
            case .success(let outcome): ReplayRow(reference: letter.reference.description, outcome: outcome)
            case .failure(let error):
                ReplayRow(reference: letter.reference.description, cannotReplay: error.description)
            }
        }
        let deliverable = rows.filter { $0.kind == .wouldDeliver }
        let execute: HTML =
            deliverable.isEmpty
            ? "<p role=\"status\">再送できるデッドレターはありません / None of these would be delivered.</p>"
            : """
            <form id="execute-form" method="post" action="/console/dead-letters/replay">
            \(ConsolePage.csrfField(session))\(deliverable.map { "<input type=\"hidden\" name=\"reference\" value=\"\($0.reference)\">" as HTML })
            <button type="submit" id="execute" class="danger">再送を実行 / Replay \(deliverable.count)</button>
            </form>
            """
        let content: HTML = """
            <h1>ドライラン / Dry run</h1>
            <p>まだ何も送っていません。今日の契約で再検証した結果です。 / Nothing was sent: each letter was validated \
            again against today's contracts.</p>
            \(ReplayRow.table(rows, id: "dry-run"))
            \(execute)
            """
        return ConsolePage(title: "ドライラン / Dry run", section: .deadLetters, session: session, content: content)
            .response()
    }

    func replay(_ context: GatewayRequestContext) async throws -> Response {
        let letters = try await letters(context.consoleForm ?? FormFields())
        let id = jobs.start(
            letters, bus: gateway.bus, operatorID: try context.grant.principal.clientID, logger: gateway.logger)
        return ConsolePage.redirect(to: "/console/replays/\(id)")
    }

    func progress(_ context: GatewayRequestContext) throws -> Response {
        let session = try context.session
        let id = context.parameters.get("id") ?? ""
        guard let job = jobs.job(id) else {
            throw ConsoleError(.notFound, "この再送はありません / There is no replay \(id) at this instance.")
        }
        let status: HTML =
            job.finished
            ? "完了 / done: \(job.rows.filter { $0.kind == .delivered }.count) / \(job.total) 件を再送 / replayed"
            : "実行中 / running: \(job.rows.count) / \(job.total)"
        let content: HTML = """
            <h1>再送 / Replay</h1>
            <div class="card" data-replay="\(job.id)" data-finished="\(job.finished ? "true" : "false")">
            <label for="replay-progress">進捗 / Progress</label>
            <progress id="replay-progress" value="\(job.rows.count)" max="\(job.total)">\(job.rows.count) / \(job.total)</progress>
            <p id="replay-status" role="status" aria-live="polite">\(status)</p>
            </div>
            \(ReplayRow.table(job.rows, id: "replay-results"))
            <p><a href="/console/dead-letters">← デッドレター一覧へ / Back to the dead letters</a></p>
            """
        return ConsolePage(title: "再送 / Replay", section: .deadLetters, session: session, content: content).response()
    }

    func progressJSON(_ context: GatewayRequestContext) throws -> Response {
        let id = (context.parameters.get("id") ?? "")
        guard let job = jobs.job(id) else { throw ConsoleError(.notFound, "There is no replay \(id).") }
        return Gateway.json(
            .object([
                ("done", .integer(job.rows.count)), ("total", .integer(job.total)), ("finished", .bool(job.finished)),
            ]))
    }
}
