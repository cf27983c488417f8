import Foundation
import Hummingbird
import RenkeiBus
import RenkeiContracts

/// The console's first page: the map of systems and linkages, and per linkage and receiver what happened today, how
/// far behind the receiver is, the dead letters held and the last delivery.
struct ConsoleLinkages {
    let gateway: Gateway

    func page(_ context: GatewayRequestContext) async throws -> Response {
        let contracts = gateway.contracts
        let lag = await gateway.receiverLag.lag(files: await gateway.delivery?.lag() ?? [])
        let lagByPair = Dictionary(lag.map { ("\($0.linkage)/\($0.receiver)", $0.records) }) { first, _ in first }
        // Dead-letter counts for operators who may read dead letters; the column says so otherwise.
        let mayReadLetters = try context.grant.scopes.contains(Scopes.deadLettersRead)
        let held =
            mayReadLetters
            ? Dictionary(await gateway.bus.deadLetterCounts().map { ($0.topic, $0.count) }) { first, _ in first } : [:]
        var activity: [LinkageActivity] = []
        var historyNote: HTML = .empty
        do {
            await gateway.bus.history.catchUp(within: .seconds(1))
            activity = try await gateway.bus.history.activity(since: ConsoleTime.startOfToday())
        } catch {
            historyNote = "<p role=\"status\">履歴索引を読めません / The history index cannot be read now.</p>"
        }
        func sum(_ linkage: String, _ receiver: String?, _ kind: HistoryEntry.Kind) -> Int {
            activity.filter { $0.linkage == linkage && $0.receiver == receiver && $0.kind == kind }
                .reduce(0) { $0 + $1.records }
        }
        var rows: [HTML] = []
        for linkage in contracts.linkages {
            // Provide entries are written per receiver (each gets its own copy); a query linkage's are its answers.
            let kind: HistoryEntry.Kind = linkage.mode == .query ? .query : .provide
            let provided = linkage.receivers.map { sum(linkage.id, $0.system, kind) }.max() ?? 0
            let ingestHeld = held[BusTopics.ingestDeadLetters(linkage: linkage.id)] ?? 0
            for (index, receiver) in linkage.receivers.enumerated() {
                let method = LinkageMap.method(linkage, receiver)
                let pair = "\(linkage.id)/\(receiver.system)"
                let letters = held[BusTopics.deadLetters(linkage: linkage.id, receiver: receiver.system)] ?? 0
                let given = sum(linkage.id, receiver.system, kind)
                let delivered = sum(linkage.id, receiver.system, .delivery)
                let last = try? await gateway.bus.history.lastDelivery(linkage: linkage.id, receiver: receiver.system)
                let lettersLink: HTML =
                    !mayReadLetters
                    ? "—"
                    : letters > 0
                        ? "<a href=\"/console/dead-letters?\(FormFields.query([("linkage", linkage.id), ("receiver", receiver.system)]))\">\(letters)</a>"
                        : "0"
                let linkageCell: HTML =
                    index == 0
                    ? """
                    <th scope="rowgroup" rowspan="\(linkage.receivers.count)"><span class="code">\(linkage.id)</span>\
                    <br>\(linkage.title)<br><small>提供元 / provider \(linkage.provider) · 本日 / today \(provided) 件\
                    \(ingestHeld > 0 ? " · 取込DLQ \(ingestHeld)" : "")</small></th>
                    """ : .empty
                let receiverName = contracts.system(receiver.system)?.name ?? ""
                rows.append(
                    """
                    <tr data-linkage="\(linkage.id)" data-receiver="\(receiver.system)">\(linkageCell)\
                    <td><span class="code">\(receiver.system)</span> \(receiverName)</td>\
                    <td><span class="method method-\(method)">\(method)</span></td>\
                    <td class="num">\(given)</td><td class="num">\(method == "pull" ? "—" : String(delivered))</td>\
                    <td class="num">\(lagByPair[pair].map { String($0) } ?? "—")</td>\
                    <td class="num">\(lettersLink)</td>\
                    <td>\(last.flatMap { $0 }.map(ConsoleTime.text) ?? "—")</td></tr>
                    """)
            }
        }
        let content: HTML = """
            <h1>リンケージ / Linkages</h1>
            <p>契約に定義されたシステムとリンケージ。色は区域、線は配信方式。 / The systems and linkages of the \
            contracts: colours are zones, lines are delivery methods.</p>
            <figure class="card map">\(LinkageMap(contracts: contracts).svg)</figure>
            \(historyNote)
            <table id="linkages">
            <caption>受信システムごとの状況（本日は日本時間0時から） / Per receiver (today: since midnight JST)</caption>
            <thead><tr><th scope="col">リンケージ / Linkage</th><th scope="col">受信システム / Receiver</th>\
            <th scope="col">方式 / Method</th><th scope="col">本日の提供 / Provided today</th>\
            <th scope="col">本日の配信 / Delivered today</th>\
            <th scope="col">遅延 / Lag</th><th scope="col">デッドレター（保管中） / Dead letters held</th>\
            <th scope="col">最終配信 / Last delivery</th></tr></thead>
            <tbody>\(rows)</tbody>
            </table>
            <p class="note">提供は受信システムに渡った件数（照会は回答数）、配信はプッシュ・ファイル・Kafkaで届けた件数。\
            遅延は未配信のオフセット数（プル方式は受信側のカーソルから）。 / Provided: records given to the receiver's \
            topic (for a query linkage, its answers); delivered: records pushed, written to files or consumed through the \
            library (a pull receiver reads its feed, which the history does not record); lag: offsets not yet delivered.</p>
            """
        return ConsolePage(
            title: "リンケージ / Linkages", section: .linkages, session: context.consoleSession, content: content
        ).response()
    }
}
