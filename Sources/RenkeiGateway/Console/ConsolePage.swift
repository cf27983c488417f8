import Foundation
import HTTPTypes
import Hummingbird
import RenkeiBus

/// One console page: the shared head, header and navigation around a page's own content, with the headers every
/// console page carries (no caching of pages that may show personal data, no framing, no referrer, scripts and
/// styles only from the console's own assets).
struct ConsolePage {
    enum Section: String, CaseIterable {
        case linkages, deadLetters, residents, health

        var path: String {
            switch self {
            case .linkages: "/console/"
            case .deadLetters: "/console/dead-letters"
            case .residents: "/console/residents"
            case .health: "/console/health"
            }
        }

        var label: String {
            switch self {
            case .linkages: "リンケージ / Linkages"
            case .deadLetters: "デッドレター / Dead letters"
            case .residents: "住民 / Resident"
            case .health: "稼働状況 / Health"
            }
        }
    }

    var title: String
    var section: Section?
    var session: ConsoleSession?
    var content: HTML
    var status: HTTPResponse.Status = .ok
    /// A page meant for printing: no navigation, print styles only.
    var printable = false

    static let securityHeaders: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        .cacheControl: "no-store",
        .contentSecurityPolicy:
            "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; "
            + "form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'",
        .init("X-Content-Type-Options")!: "nosniff",
        .init("Referrer-Policy")!: "no-referrer",
    ]

    var html: HTML {
        let body: HTML =
            printable
            ? "<main id=\"main\" class=\"printable\">\(content)</main>"
            : "\(header)<main id=\"main\">\(content)</main>"
        return """
            <!DOCTYPE html>
            <html lang="ja">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) — Renkei</title>
            <link rel="stylesheet" href="/console/assets/console.css">
            <script src="/console/assets/console.js" defer></script>
            </head>
            <body>
            <a class="skip" href="#main">本文へ / Skip to content</a>
            \(body)
            </body>
            </html>
            """
    }

    private var header: HTML {
        guard let session else {
            return "<header class=\"bar\"><span class=\"brand\">Renkei 連携 — 運用コンソール / Console</span></header>"
        }
        let links = Section.allCases.map { item -> HTML in
            let current: HTML = item == section ? " aria-current=\"page\"" : ""
            return "<li><a href=\"\(item.path)\"\(current)>\(item.label)</a></li>"
        }
        return """
            <header class="bar">
            <span class="brand">Renkei 連携 — 運用コンソール / Console</span>
            <nav aria-label="コンソール / Console"><ul>\(links)</ul></nav>
            <form method="post" action="/console/sign-out" class="sign-out">
            <span class="who">\(session.name) (\(session.clientID))</span>
            \(Self.csrfField(session))
            <button type="submit">サインアウト / Sign out</button>
            </form>
            </header>
            """
    }

    static func csrfField(_ session: ConsoleSession) -> HTML {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(session.csrf)\">"
    }

    func response() -> Response {
        Response(
            status: status, headers: Self.securityHeaders,
            body: ResponseBody(byteBuffer: ByteBuffer(string: html.text)))
    }

    /// A `303 See Other` to `location` (after a form, or to the sign-in page).
    static func redirect(to location: String, cookies: [Cookie] = []) -> Response {
        var headers = securityHeaders
        headers[.location] = location
        var response = Response(status: .seeOther, headers: headers)
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }
}

/// Times as operators read them: Japan time, to the second.
enum ConsoleTime {
    private static let format: Date.FormatStyle = {
        var style = Date.FormatStyle(date: .numeric, time: .standard, locale: Locale(identifier: "ja_JP"))
        style.timeZone = TimeZone(identifier: "Asia/Tokyo") ?? .gmt
        return style
    }()

    static func text(_ date: Date) -> String { date.formatted(format) }

    /// Midnight of today, Japan time.
    static func startOfToday(_ now: Date = Date()) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Tokyo") ?? .gmt
        return calendar.startOfDay(for: now)
    }
}

extension ConsoleTime {
    /// A time from a form: `datetime-local` (Japan time, to the minute, second or millisecond) or ISO 8601 with its
    /// offset. With `end`, a time given to the minute means the end of that minute (an `until` of 09:00 includes
    /// 09:00:30).
    static func parse(_ text: String, end: Bool = false) -> Date? {
        if let date = Timestamp.parse(text) { return date }
        if end, text.count == 16, let minute = parse(text) { return minute.addingTimeInterval(59.999) }
        for pattern in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.SSS"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "Asia/Tokyo")
            formatter.dateFormat = pattern
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}

extension GatewayRequestContext {
    /// The console session; a routing mistake (a console page outside ``ConsoleAuthenticator``) when absent.
    var session: ConsoleSession {
        get throws {
            guard let consoleSession else { throw ConsoleError(.unauthorized, "サインインしてください / Sign in first.") }
            return consoleSession
        }
    }
}
