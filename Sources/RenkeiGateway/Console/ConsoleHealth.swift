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
        let index: HTML =
            switch gateway.bus.history.behind {
            case 0: "<span class=\"good\">最新 / up to date</span>"
            case nil: "<span class=\"bad\">同期前 / not synced yet</span>"
            case let offsets?: "<span class=\"bad\">\(Int(offsets)) 件遅れ / offsets behind</span>"
            }
        let switchTo = !maintenance
        let scopes = try context.grant.scopes
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
            \(scopes.contains(Scopes.gatewayManage) ? HTML.empty : "<p class=\"note\">切替には 030:gateway:manage が必要です / Switching needs the scope 030:gateway:manage.</p>")
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

    /// Each storage location of the contracts, all listed at once, each within 5 seconds or named as unreachable.
    private func storageRows() async -> HTML {
        let locations = gateway.contracts.systems.compactMap { system in
            system.endpoints.storage.map { (system.id, $0) }
        }
        guard !locations.isEmpty else { return "—" }
        let bus = gateway.bus
        let problems = await withTaskGroup(of: (Int, String?).self) { group in
            for (index, (_, url)) in locations.enumerated() {
                group.addTask {
                    let problem = await Self.within(seconds: 5) { () -> String? in
                        do {
                            _ = try await bus.storage(url).list(prefix: "renkei-health-check/")
                            return nil
                        } catch {
                            return "\(error)"
                        }
                    }
                    return (index, problem ?? "5秒以内に応答なし / no answer within 5 s")
                }
            }
            var problems: [Int: String] = [:]
            for await (index, problem) in group { problems[index] = problem }
            return problems
        }
        let rows = locations.enumerated().map { index, location -> HTML in
            let state: HTML =
                problems[index].map { "<span class=\"bad\">到達不可 / unreachable</span> <small>\($0)</small>" }
                ?? "<span class=\"good\">到達可 / reachable</span>"
            return "<li><span class=\"code\">\(location.0)</span> \(location.1): \(state)</li>"
        }
        return "<ul class=\"plain\">\(rows)</ul>"
    }

    /// What `work` gives if it ends within `seconds`, else `nil`. The work is not awaited beyond that: a folder on a
    /// hung network mount does not answer cancellation, and the page must not hang with it.
    private static func within<Value: Sendable>(
        seconds: Double, _ work: @escaping @Sendable () async -> Value
    ) async -> Value? {
        let (answers, continuation) = AsyncStream.makeStream(of: Value?.self)
        Task.detached {
            continuation.yield(await work())
            continuation.finish()
        }
        Task.detached {
            try? await Task.sleep(for: .seconds(seconds))
            continuation.yield(nil)
            continuation.finish()
        }
        for await answer in answers { return answer }
        return nil
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
