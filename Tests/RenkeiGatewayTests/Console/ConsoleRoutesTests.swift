import Foundation
import RenkeiTestSupport
import Synchronization
import Testing

@testable import RenkeiGateway

/// The console's pages on the real app over loopback: sign-in and sessions, CSRF, scopes, and each page's data.
@Suite(.serialized) struct ConsoleRoutesTests {
    private static func withConsole(
        webhook: String? = nil, _ body: (GatewayHarness, ConsoleClient) async throws -> Void
    ) async throws {
        try await GatewayHarness.with(webhook: webhook) { harness in
            let browser = ConsoleClient(base: harness.base)
            do {
                try await body(harness, browser)
            } catch {
                await browser.shutdown()
                throw error
            }
            await browser.shutdown()
        }
    }

    @Test func signInKeepsTheTokenOnTheServerAndBringsTheOperatorBack() async throws {
        try await Self.withConsole { harness, browser in
            let away = try await browser.get("/console/dead-letters?linkage=resident-change")
            #expect(away.status == 303)
            #expect(away.location == "/console/sign-in?next=%2Fconsole%2Fdead-letters%3Flinkage%3Dresident-change")
            let form = try await browser.get(try #require(away.location))
            #expect(form.status == 200)
            #expect(form.text.contains(#"<form id="sign-in""#))
            let signedIn = try await browser.post(
                "/console/sign-in",
                [
                    ("csrf", try #require(form.csrf)), ("next", "/console/dead-letters?linkage=resident-change"),
                    ("client_id", "ops"), ("client_secret", GatewayHarness.demoSecret("ops")),
                ])
            #expect(signedIn.status == 303)
            #expect(signedIn.location == "/console/dead-letters?linkage=resident-change")
            let session = try #require(browser.setCookies.withLock { $0 }.last { $0.hasPrefix("renkei_console=") })
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
                #expect(session.contains(attribute), "\(session)")
            }
            #expect(!session.contains("Secure"))  // plain HTTP here; HTTPS adds it
            // The browser never sees the access token: no JWT in any header or page.
            #expect(!browser.setCookies.withLock { $0 }.joined().contains("eyJ"))
            let page = try await browser.get("/console/")
            #expect(page.status == 200)
            #expect(!page.text.contains("eyJ"))
            #expect(page.headers.first(name: "cache-control") == "no-store")
            #expect(page.headers.first(name: "content-security-policy")?.contains("frame-ancestors 'none'") == true)
            #expect(page.text.contains(#"<svg id="linkage-map""#))
            let rows = page.text.components(separatedBy: "<tr data-linkage=").count - 1
            #expect(rows == harness.bus.contracts.linkages.reduce(0) { $0 + $1.receivers.count })
            #expect(page.text.contains("情報政策課 運用担当 (ops)"))
            // An open redirect is not followed: `next` must be a console path.
            let elsewhere = try await browser.signIn("ops", secret: GatewayHarness.demoSecret("ops"))
            #expect(elsewhere.location == "/console/")
            let outside = try await browser.get("/console/sign-in?next=https://example.com/")
            #expect(!outside.text.contains("example.com"))
            // The second sign-in opened a new session: the first one's CSRF token no longer signs anyone out.
            let stale = try await browser.post("/console/sign-out", [("csrf", try #require(page.csrf))])
            #expect(stale.status == 403)
            // Signing out ends the session at the server.
            let current = try await browser.get("/console/health")
            let out = try await browser.post("/console/sign-out", [("csrf", try #require(current.csrf))])
            #expect(out.status == 303)
            #expect(try await browser.get("/console/").status == 303)
        }
    }

    @Test func refusesSystemsWrongSecretsAndFormsWithoutTheirCSRFToken() async throws {
        try await Self.withConsole { harness, browser in
            let system = try await browser.signIn("sys-001", secret: GatewayHarness.demoSecret("sys-001"))
            #expect(system.status == 403)
            #expect(system.alert?.contains("operators only") == true)
            #expect(system.alert?.contains("オペレーター") == true)
            let wrong = try await browser.signIn("ops", secret: "not-the-secret")
            #expect(wrong.status == 401)
            #expect(wrong.alert?.contains("wrong secret") == true)
            // Only a mynumber-zone operator may ask to see personal values.
            let unmasking = try await browser.signIn(
                "ops", secret: GatewayHarness.demoSecret("ops"), personal: true)
            #expect(unmasking.status == 403)
            // A sign-in posted from elsewhere carries no form cookie of ours.
            let forged = ConsoleClient(base: harness.base)
            let crossSite = try await forged.post(
                "/console/sign-in",
                [("csrf", "guess"), ("client_id", "ops"), ("client_secret", GatewayHarness.demoSecret("ops"))])
            await forged.shutdown()
            #expect(crossSite.status == 403)
            #expect(crossSite.alert?.contains("CSRF") == true)
            // A form another site's page submits is refused whatever it carries: the browser says where it came from.
            let signInForm = try await browser.get("/console/sign-in")
            let foreign = try await browser.post(
                "/console/sign-in",
                [
                    ("csrf", try #require(signInForm.csrf)), ("client_id", "ops"),
                    ("client_secret", GatewayHarness.demoSecret("ops")),
                ],
                headers: [("Sec-Fetch-Site", "cross-site"), ("Origin", "https://elsewhere.example")])
            #expect(foreign.status == 403)

            #expect(try await browser.signIn("ops", secret: GatewayHarness.demoSecret("ops")).status == 303)
            let health = try await browser.get("/console/health")
            let csrf = try #require(health.csrf)
            let fromElsewhere = try await browser.post(
                "/console/health/maintenance", [("csrf", csrf), ("enabled", "true"), ("confirm", "true")],
                headers: [("Origin", "https://elsewhere.example")])
            #expect(fromElsewhere.status == 403)
            let missing = try await browser.post(
                "/console/health/maintenance", [("enabled", "true"), ("confirm", "true")])
            #expect(missing.status == 403)
            #expect(missing.alert?.contains("CSRF") == true)
            let mistaken = try await browser.post(
                "/console/health/maintenance", [("csrf", "x" + csrf), ("enabled", "true"), ("confirm", "true")])
            #expect(mistaken.status == 403)
            let unconfirmed = try await browser.post(
                "/console/health/maintenance", [("csrf", csrf), ("enabled", "true")])
            #expect(unconfirmed.status == 400)
            #expect(try await harness.call(.GET, "/health/ready").status == 200)
            let on = try await browser.post(
                "/console/health/maintenance", [("csrf", csrf), ("enabled", "true"), ("confirm", "true")])
            #expect(on.status == 200)
            #expect(on.text.contains(#"<dd id="readiness" class="bad">maintenance</dd>"#))
            #expect(try await harness.call(.GET, "/health/ready").status == 503)
            let off = try await browser.post(
                "/console/health/maintenance", [("csrf", csrf), ("enabled", "false"), ("confirm", "true")])
            #expect(off.text.contains(#"<dd id="readiness" class="good">ready</dd>"#))
            #expect(try await harness.call(.GET, "/health/ready").status == 200)
            let verified = try await browser.post("/console/health/verify", [("csrf", csrf)])
            #expect(verified.text.contains("<strong>intact</strong>"))
        }
    }

    @Test func deadLettersAreDryRunReplayedAndLeaveTheList() async throws {
        let accepting = Mutex(false)
        let delivered = Mutex(0)
        let webhook = try await TestServer.start(path: "/events") { _, _ in
            guard accepting.withLock({ $0 }) else { return (500, []) }
            delivered.withLock { $0 += 1 }
            return (204, [])
        }
        try await Self.withConsole(webhook: webhook.url) { harness, browser in
            let provider = try await harness.token("sys-001")
            let record = Residents.json(harness.bus.contracts, count: 1)[0]
            let name = try #require(
                (try JSONSerialization.jsonObject(with: Data(record)) as? [String: Any])?["name"] as? String)
            #expect(
                try await harness.call(
                    .POST, "/linkages/resident-change/records", token: provider, contentType: "application/json",
                    body: record
                ).status == 201)
            #expect(try await browser.signIn("ops", secret: GatewayHarness.demoSecret("ops")).status == 303)
            var list = try await browser.get("/console/dead-letters?receiver=017")
            let listed = try await eventually {
                list = try await browser.get("/console/dead-letters?receiver=017")
                return list.text.contains("<tr data-reference=")
            }
            #expect(listed)
            let reference = try #require(ConsoleClient.Page.capture(#"<tr data-reference="([^"]+)""#, in: list.text))
            #expect(reference.hasPrefix("renkei.dlq.resident-change.017/"))

            let shown = try await browser.get("/console/dead-letters/\(reference)")
            #expect(shown.status == 200)
            #expect(shown.text.contains(#"<pre id="letter-value""#))
            #expect(!shown.text.contains(name))  // masked for an operator of the general zone
            let reads = try await harness.call(
                .GET, "/operations/history?kind=dead-letter-read", token: try await harness.token("ops"))
            #expect(reads.text.contains(reference))

            let csrf = try #require(list.csrf)
            let dryRun = try await browser.post(
                "/console/dead-letters/dry-run", [("csrf", csrf), ("reference", reference)])
            #expect(dryRun.status == 200)
            #expect(dryRun.text.contains(#"<tr data-reference="\#(reference)" class="would-deliver">"#))
            #expect(dryRun.text.contains("would be delivered to 017"))
            #expect(dryRun.text.contains(#"id="execute""#))
            accepting.withLock { $0 = true }
            let started = try await browser.post(
                "/console/dead-letters/replay", [("csrf", csrf), ("reference", reference)])
            #expect(started.status == 303)
            let job = try #require(started.location)
            #expect(job.hasPrefix("/console/replays/"))
            let finished = try await eventually {
                try await browser.get(job + "/status.json").text.contains(#""finished":true"#)
            }
            #expect(finished)
            let done = try await browser.get(job)
            #expect(done.text.contains("完了 / done: 1 / 1"))
            #expect(done.text.contains(#"class="delivered""#))
            let after = try await browser.get("/console/dead-letters?receiver=017")
            #expect(!after.text.contains(#"<tr data-reference="\#(reference)""#))
            let withReplayed = try await browser.get("/console/dead-letters?receiver=017&replayed=include")
            #expect(withReplayed.text.contains(#"<tr data-reference="\#(reference)""#))
            // Delivered this time, and the replay is in the history under the operator's id.
            #expect(try await eventually { delivered.withLock { $0 } == 1 })
            let replays = try await harness.call(
                .GET, "/operations/history?kind=replay", token: try await harness.token("ops"))
            #expect((replays.json["entries"] as? [[String: Any]])?.first?["operator"] as? String == "ops")
            // A second dry run says it was replayed; nothing is offered to execute.
            let again = try await browser.post(
                "/console/dead-letters/dry-run", [("csrf", csrf), ("reference", reference)])
            #expect(again.text.contains(#"class="already-replayed""#))
            #expect(!again.text.contains(#"id="execute""#))
        }
        await webhook.stop()
    }

    @Test func aFilteredSetOfLettersIsDryRunTogether() async throws {
        try await Self.withConsole { harness, browser in
            let provider = try await harness.token("sys-001")
            // Three rows with a nationality code the contracts do not know: quarantined, one dead letter each.
            var lines = String(decoding: Residents.csv(harness.bus.contracts, count: 20), as: UTF8.self)
                .split(separator: "\r\n", omittingEmptySubsequences: true).map(String.init)
            let column = try #require(lines[0].split(separator: ",").firstIndex(of: "国籍等_国名コード"))
            for row in 1...3 {
                var fields = lines[row].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                fields[column] = "999"
                lines[row] = fields.joined(separator: ",")
            }
            let csv = Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
            let transfer = try await harness.call(
                .POST, "/linkages/resident-register-daily/transfers", token: provider, contentType: "text/csv",
                body: csv)
            #expect(transfer.json["quarantined"] as? Int == 3, "\(transfer.text)")
            #expect(try await browser.signIn("ops", secret: GatewayHarness.demoSecret("ops")).status == 303)
            let list = try await browser.get("/console/dead-letters?linkage=resident-register-daily")
            #expect(list.text.components(separatedBy: "<tr data-reference=").count - 1 == 3)
            let dryRun = try await browser.post(
                "/console/dead-letters/dry-run",
                [("csrf", try #require(list.csrf)), ("all", "true"), ("linkage", "resident-register-daily")])
            #expect(dryRun.status == 200)
            #expect(dryRun.text.components(separatedBy: #"class="still-invalid""#).count - 1 == 3)
            #expect(dryRun.text.contains("still invalid because unknown-code"))
            #expect(!dryRun.text.contains(#"id="execute""#))
            // A reference that names no letter is refused, not skipped.
            let missing = try await browser.post(
                "/console/dead-letters/dry-run",
                [("csrf", try #require(list.csrf)), ("reference", "renkei.dlq.resident-register-daily/0/999")])
            #expect(missing.status == 404)
        }
    }

    @Test func residentTimelineFindsABulkTransferAndExportsIt() async throws {
        try await Self.withConsole { harness, browser in
            let provider = try await harness.token("sys-001")
            let csv = Residents.csv(harness.bus.contracts, count: 300)
            let key = try #require(Residents.keys(csv: csv, contracts: harness.bus.contracts).dropFirst(150).first)
            let transfer = try await harness.call(
                .POST, "/linkages/resident-change/transfers", token: provider, contentType: "text/csv", body: csv)
            #expect(transfer.status == 201)
            let id = try #require(transfer.json["id"] as? String)
            #expect(try await browser.signIn("ops", secret: GatewayHarness.demoSecret("ops")).status == 303)
            var page = try await browser.get("/console/residents?key=\(key)")
            #expect(
                try await eventually {
                    page = try await browser.get("/console/residents?key=\(key)")
                    return page.text.contains(id)
                })
            #expect(page.text.contains(#"<table id="timeline">"#))
            #expect(page.text.contains("一括転送 / bulk transfer"))
            #expect(page.text.contains("resident-change"))
            #expect(page.text.contains("介護保険の資格管理"))
            let exported = try await browser.get("/console/residents/export.csv?key=\(key)")
            #expect(exported.status == 200)
            #expect(exported.headers.first(name: "content-type") == "text/csv; charset=utf-8")
            #expect(exported.text.hasPrefix("\u{FEFF}time,kind,linkage,"))
            #expect(exported.text.contains(id))
            let printable = try await browser.get("/console/residents/print?key=\(key)")
            #expect(printable.text.contains(#"<main id="main" class="printable">"#))
            #expect(!printable.text.contains("<nav"))
            // Each lookup is in the history before it is answered: who looked at this resident, and how.
            let lookups = try await harness.call(
                .GET, "/operations/history?kind=history-read&key=\(key)", token: try await harness.token("ops"))
            let entries = lookups.json["entries"] as? [[String: Any]] ?? []
            #expect(
                Set(entries.compactMap { $0["outcome"] as? String }).isSuperset(of: ["viewed", "exported", "printed"]))
            #expect(entries.allSatisfy { $0["operator"] as? String == "ops" })
            let unknown = try await browser.get("/console/residents?key=999999999999999")
            #expect(unknown.text.contains(#"id="timeline-empty""#))
            // What the operator types comes back escaped, never as markup.
            let hostile = try await browser.get("/console/residents?key=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
            #expect(!hostile.text.contains("<script>alert(1)"))
            #expect(hostile.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }
}
