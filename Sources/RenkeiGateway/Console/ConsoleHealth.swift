import Foundation
import Hummingbird
import RenkeiBus

/// The console's health page: readiness as `/health/ready` sees it, the broker, each storage location the contracts
/// name, the history index; the maintenance switch (confirmed) and a history verification with its result.
struct ConsoleHealth {
    let gateway: Gateway

    func page(_ context: GatewayRequestContext, notice: HTML = .empty) async throws -> Response {
        let session = try context.session
        var brokerError: String?
        do { try await gateway.bus.checkCluster() } catch { brokerError = "\(error)" }
        let maintenance = gateway.inMaintenance
        let readiness =
            brokerError == nil && !maintenance
            ? "ready" : (maintenance ? "maintenance" : "unavailable")
        let broker: HTML =
            brokerError.map { "<span class=\"bad\">到達不可 / unreachable</span> <small>\($0)</small>" }
            ?? "<span class=\"good\">到達可 / reachable</span>"
        let storage = await storageRows()
        let behind = gateway.bus.history.behind
        let index: HTML =
            (behind ?? 0) > 0
            ? "<span class=\"bad\">\(Int(behind ?? 0)) 件遅れ / offsets behind</span>"
            : "<span class=\"good\">最新 / up to date</span>"
        let switchTo = !maintenance
        let content: HTML = """
            <h1>稼働状況 / Health</h1>
            \(notice)
            <dl class="card health">
            <dt>準備状態 / Readiness</dt><dd id="readiness" class="\(readiness == "ready" ? "good" : "bad")">\(readiness)</dd>
            <dt>ブローカー / Broker</dt><dd id="broker">\(broker)</dd>
            <dt>ストレージ / Storage</dt><dd id="storage">\(storage)</dd>
            <dt>履歴索引 / History index</dt><dd id="history-index">\(index)</dd>
            <dt>インスタンス / Instance</dt><dd>\(gateway.bus.configuration.instance)</dd>
            </dl>
            <section class="card" aria-labelledby="maintenance-title">
            <h2 id="maintenance-title">メンテナンスモード / Maintenance mode: \(maintenance ? "オン / on" : "オフ / off")</h2>
            <p>オンの間、全インスタンスのデータ系APIは503を返します。 / While on, every instance answers the data routes \
            with 503; the console and operations stay available.</p>
            <form id="maintenance-form" method="post" action="/console/health/maintenance">
            \(ConsolePage.csrfField(session))
            <input type="hidden" name="enabled" value="\(switchTo ? "true" : "false")">
            <label class="check"><input type="checkbox" name="confirm" value="true" required> 確認しました / I confirm</label>
            <button type="submit" id="maintenance-switch" class="\(switchTo ? "danger" : "")">\
            \(switchTo ? "メンテナンスを開始 / Switch on" : "メンテナンスを終了 / Switch off")</button>
            </form>
            </section>
            <section class="card" aria-labelledby="verify-title">
            <h2 id="verify-title">履歴の検証 / History verification</h2>
            <p>ハッシュチェーンを全件確認します。 / Checks every hash chain of the history topic.</p>
            <form id="verify-form" method="post" action="/console/health/verify">
            \(ConsolePage.csrfField(session))
            <button type="submit" id="verify">履歴を検証 / Verify history</button>
            </form>
            </section>
            """
        return ConsolePage(title: "稼働状況 / Health", section: .health, session: session, content: content)
            .response()
    }

    /// Each storage location of the contracts, listed within 5 seconds or named as unreachable.
    private func storageRows() async -> HTML {
        let locations = gateway.contracts.systems.compactMap { system in
            system.endpoints.storage.map { (system.id, $0) }
        }
        guard !locations.isEmpty else { return "—" }
        var rows: [HTML] = []
        for (system, url) in locations {
            let bus = gateway.bus
            let problem: String? = await withTaskGroup(of: String?.self) { group in
                group.addTask {
                    do {
                        _ = try await bus.storage(url).list(prefix: "renkei-health-check/")
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(5))
                    return "5秒以内に応答なし / no answer within 5 s"
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
            let state: HTML =
                problem.map { "<span class=\"bad\">到達不可 / unreachable</span> <small>\($0)</small>" }
                ?? "<span class=\"good\">到達可 / reachable</span>"
            rows.append("<li><span class=\"code\">\(system)</span> \(url): \(state)</li>")
        }
        return "<ul class=\"plain\">\(rows)</ul>"
    }

    func maintenance(_ context: GatewayRequestContext) async throws -> Response {
        let form = context.consoleForm ?? FormFields()
        guard form["confirm"] == "true" else {
            throw ConsoleError.badForm("確認にチェックしてください / Tick “I confirm” to switch maintenance mode.")
        }
        guard let enabled = form["enabled"].flatMap(Bool.init) else {
            throw ConsoleError.badForm("`enabled` は true か false です / `enabled` is true or false.")
        }
        let clientID = try context.grant.principal.clientID
        do {
            try await gateway.bus.shared.setMaintenance(enabled, by: clientID)
        } catch {
            throw ConsoleError(
                .serviceUnavailable,
                "ブローカーが変更を確認しませんでした / The broker did not confirm the change in time; it may still "
                    + "take effect. Reload this page and switch again.")
        }
        gateway.logger.notice(
            "maintenance mode changed", metadata: ["renkei.client": "\(clientID)", "renkei.enabled": "\(enabled)"])
        return try await page(
            context,
            notice:
                "<p role=\"status\">メンテナンスモードを\(enabled ? "開始" : "終了")しました / Maintenance mode is now \(enabled ? "on" : "off").</p>"
        )
    }

    func verify(_ context: GatewayRequestContext) async throws -> Response {
        let report = try await HistoryReader(bus: gateway.bus).verify()
        let problems = report.problems.prefix(20).map { "<li>\($0.description)</li>" as HTML }
        let result: HTML = """
            <div id="verify-result" role="status" class="card \(report.isIntact ? "good" : "bad")">
            <p><strong>\(report.isIntact ? "intact" : "NOT intact")</strong> — \(report.entries) 件 / entries, \
            \(report.chains) チェーン / chains, \(report.problemCount) 件の問題 / problems\
            \(report.expired.isEmpty ? "" : ", \(report.expired.count) 件は保持期間切れ / expired by retention").</p>
            \(problems.isEmpty ? HTML.empty : "<ul>\(problems)</ul>")
            </div>
            """
        return try await page(context, notice: result)
    }
}
