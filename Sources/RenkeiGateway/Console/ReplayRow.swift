import RenkeiBus

/// One letter's line in a dry run or a replay: a class the page styles by, and what happened or would happen.
struct ReplayRow: Sendable {
    enum Kind: String, Sendable {
        case wouldDeliver = "would-deliver"
        case delivered
        case stillInvalid = "still-invalid"
        case alreadyReplayed = "already-replayed"
        case cannotReplay = "cannot-replay"
    }

    var reference: String
    var kind: Kind
    var text: String
    var linkage: String?
    var receiver: String?

    init(reference: String, outcome: ReplayOutcome) {
        self.reference = reference
        linkage = outcome.letter.linkage
        receiver = outcome.letter.receiver
        switch outcome.result {
        case .delivered(let receivers):
            let names = receivers.joined(separator: ", ")
            kind = outcome.performed ? .delivered : .wouldDeliver
            text = outcome.performed ? "再送済み / delivered to \(names)" : "配信予定 / would be delivered to \(names)"
        case .stillInvalid(let reasons):
            kind = .stillInvalid
            text = "不正のまま / still invalid because \(reasons.joined(separator: ", "))"
        case .alreadyReplayed(let time):
            kind = .alreadyReplayed
            text = "再送済み / already replayed at \(ConsoleTime.text(time))"
        }
    }

    init(reference: String, cannotReplay reason: String) {
        self.reference = reference
        kind = .cannotReplay
        text = "再送できません / \(reason)"
    }

    var html: HTML {
        """
        <tr data-reference="\(reference)" class="\(kind.rawValue)"><td><a href="\(ConsoleDeadLetters.path(reference))">\
        <span class="code">\(reference)</span></a></td><td>\(linkage ?? "—")</td><td>\(receiver ?? "—")</td>\
        <td>\(text)</td></tr>
        """
    }

    static func table(_ rows: [ReplayRow], id: String) -> HTML {
        """
        <table id="\(id)"><thead><tr><th scope="col">デッドレター / Dead letter</th><th scope="col">リンケージ / \
        Linkage</th><th scope="col">受信 / Receiver</th><th scope="col">結果 / Outcome</th></tr></thead>\
        <tbody>\(rows.map(\.html))</tbody></table>
        """
    }
}
