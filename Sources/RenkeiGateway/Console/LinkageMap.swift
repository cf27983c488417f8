import RenkeiContracts

/// The systems and linkages of the contracts as an SVG drawn by the server: providers on the left, receivers on the
/// right, systems coloured by zone, one arrow per linkage and receiver styled by how it is delivered.
struct LinkageMap {
    let contracts: ContractSet

    private static let width = 860
    private static let nodeWidth = 230
    private static let nodeHeight = 46
    private static let rowHeight = 60
    private static let top = 20
    private static let rightX = width - nodeWidth - 20

    /// The stroke of each delivery method (and of queries), also used by the legend.
    static func style(_ method: String) -> (colour: String, dash: String, label: String) {
        switch method {
        case "push": ("#15803d", "", "push（Webhook）")
        case "file": ("#7e22ce", "8 5", "file（ファイル）")
        case "kafka": ("#c2410c", "10 4 2 4", "kafka")
        case "query": ("#475569", "2 4", "query（照会）")
        default: ("#1d4ed8", "", "pull（フィード）")
        }
    }

    /// The method of an arrow: a query linkage's receivers ask, every other receiver gets what its contract says.
    static func method(_ linkage: Linkage, _ receiver: Receiver) -> String {
        linkage.mode == .query ? "query" : receiver.delivery.rawValue
    }

    var svg: HTML {
        let providers = orderedUnique(contracts.linkages.map(\.provider))
        let receivers = orderedUnique(contracts.linkages.flatMap { $0.receivers.map(\.system) }).filter {
            !providers.contains($0)
        }
        var position: [String: (x: Int, y: Int)] = [:]
        for (row, id) in providers.enumerated() { position[id] = (20, Self.top + row * Self.rowHeight) }
        for (row, id) in receivers.enumerated() { position[id] = (Self.rightX, Self.top + row * Self.rowHeight) }
        let rows = max(providers.count, receivers.count, 1)
        let legendY = Self.top + rows * Self.rowHeight + 10
        let height = legendY + 70

        var edges: [HTML] = []
        var labels: [HTML] = []
        var described: [String] = []
        var incoming: [String: Int] = [:]
        let pairs = contracts.linkages.flatMap { linkage in linkage.receivers.map { (linkage, $0) } }
        for (index, (linkage, receiver)) in pairs.enumerated() {
            guard let from = position[linkage.provider], let to = position[receiver.system] else { continue }
            let method = Self.method(linkage, receiver)
            let style = Self.style(method)
            // A receiver that is also a provider sits on the left: its arrow bends out to the right and back.
            let startX = from.x + Self.nodeWidth
            let startY = from.y + Self.nodeHeight / 2 + (index % 3 - 1) * 6
            let endX = to.x == from.x ? to.x + Self.nodeWidth : to.x
            let endY = to.y + Self.nodeHeight / 2 + (index % 3 - 1) * 6
            let bend = to.x == from.x ? 140 : (endX - startX) / 2
            let path =
                "M \(startX) \(startY) C \(startX + bend) \(startY), \(endX - (to.x == from.x ? -bend : bend)) "
                + "\(endY), \(endX) \(endY)"
            let dash: HTML = style.dash.isEmpty ? .empty : " stroke-dasharray=\"\(style.dash)\""
            let title = "\(linkage.id): \(linkage.provider) → \(receiver.system) (\(method))"
            described.append(title)
            edges.append(
                """
                <path d="\(path)" fill="none" stroke="\(style.colour)" stroke-width="2"\(dash) \
                marker-end="url(#arrow-\(method))" data-linkage="\(linkage.id)" data-receiver="\(receiver.system)">\
                <title>\(title)</title></path>
                """)
            // Each arrow's name sits above its head, the names of arrows into one system stacked upwards.
            let stacked = incoming[receiver.system, default: 0]
            incoming[receiver.system] = stacked + 1
            let labelX = to.x == from.x ? endX + 16 : endX - 16
            let anchor = to.x == from.x ? "start" : "end"
            labels.append(
                """
                <text x="\(labelX)" y="\(to.y + 4 - stacked * 14)" text-anchor="\(anchor)" class="edge-label" \
                fill="\(style.colour)">\(linkage.id)</text>
                """)
        }
        var nodes: [HTML] = []
        for id in providers + receivers {
            guard let at = position[id] else { continue }
            let system = contracts.system(id)
            let zone = system?.zone ?? .general
            let name = system?.name ?? ""
            let short = name.count > 13 ? String(name.prefix(12)) + "…" : name
            nodes.append(
                """
                <g class="node zone-\(zone.rawValue)" data-system="\(id)">\
                <rect x="\(at.x)" y="\(at.y)" width="\(Self.nodeWidth)" height="\(Self.nodeHeight)" rx="6"/>\
                <text x="\(at.x + 10)" y="\(at.y + 19)" class="node-id">\(id)</text>\
                <text x="\(at.x + 10)" y="\(at.y + 37)" class="node-name">\(short)</text>\
                <title>\(id) \(name)（\(zone == .mynumber ? "マイナンバー利用事務系" : "一般系") / \(zone.rawValue)）</title></g>
                """)
        }
        let methods = ["pull", "push", "file", "kafka", "query"]
        let markers = methods.map { method -> HTML in
            """
            <marker id="arrow-\(method)" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" \
            orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="\(Self.style(method).colour)"/></marker>
            """
        }
        var legend: [HTML] = []
        for (index, method) in methods.enumerated() {
            let style = Self.style(method)
            let x = 20 + index * 165
            let dash: HTML = style.dash.isEmpty ? .empty : " stroke-dasharray=\"\(style.dash)\""
            legend.append(
                """
                <line x1="\(x)" y1="\(legendY + 12)" x2="\(x + 40)" y2="\(legendY + 12)" stroke="\(style.colour)" \
                stroke-width="2"\(dash) marker-end="url(#arrow-\(method))"/>\
                <text x="\(x + 48)" y="\(legendY + 16)" class="legend">\(style.label)</text>
                """)
        }
        legend.append(
            """
            <g class="node zone-mynumber"><rect x="20" y="\(legendY + 34)" width="22" height="16" rx="3"/></g>\
            <text x="50" y="\(legendY + 47)" class="legend">マイナンバー利用事務系 / mynumber zone</text>\
            <g class="node zone-general"><rect x="330" y="\(legendY + 34)" width="22" height="16" rx="3"/></g>\
            <text x="360" y="\(legendY + 47)" class="legend">一般系 / general zone</text>
            """)
        return """
            <svg id="linkage-map" role="img" aria-labelledby="map-title map-desc" viewBox="0 0 \(Self.width) \(height)" \
            width="100%" preserveAspectRatio="xMinYMin meet">
            <title id="map-title">システムとリンケージの関係図 / Systems and linkages</title>
            <desc id="map-desc">\(described.joined(separator: "; "))</desc>
            <defs>\(markers)</defs>
            \(edges)\(nodes)\(labels)\(legend)
            </svg>
            """
    }

    private func orderedUnique(_ ids: [String]) -> [String] {
        var seen: Set<String> = []
        return ids.filter { seen.insert($0).inserted }
    }
}
