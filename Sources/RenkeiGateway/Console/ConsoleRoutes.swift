import Hummingbird

/// The operator console at `/console/` (docs/console.md): server-rendered pages over the same bus operations as the
/// `/operations/…` routes, signed in with an operator's client credentials. Not part of the API document: these are
/// pages, not an interface for programs.
struct ConsoleRoutes {
    let gateway: Gateway
    let sessions = ConsoleSessions()
    let jobs = ConsoleReplayJobs()

    func register(on router: some RouterMethods<GatewayRequestContext>) {
        let console = router.group("/console").add(middleware: ConsoleErrorPages(gateway: gateway))
        console.get("/assets/console.css") { _, _ in ConsoleAssets.response(ConsoleAssets.css, type: "text/css") }
        console.get("/assets/console.js") { _, _ in
            ConsoleAssets.response(ConsoleAssets.script, type: "text/javascript")
        }
        let signIn = ConsoleSignIn(gateway: gateway, sessions: sessions)
        signIn.register(on: console)
        // Errors after sign-in are rendered inside the session, so their page keeps the navigation.
        let signedIn = console.group().add(middleware: ConsoleAuthenticator(gateway: gateway, sessions: sessions))
            .add(middleware: ConsoleErrorPages(gateway: gateway))
        signIn.registerSignOut(on: signedIn)
        let linkages = ConsoleLinkages(gateway: gateway)
        signedIn.get("/") { _, context in try await linkages.page(context) }
        signedIn.get("/linkages") { _, _ in ConsolePage.redirect(to: "/console/") }

        let letters = ConsoleDeadLetters(gateway: gateway, jobs: jobs)
        let readers = signedIn.group().add(middleware: ConsoleScope(scope: Scopes.deadLettersRead))
        readers.get("/dead-letters") { request, context in try await letters.list(request, context) }
        readers.get("/dead-letters/{topic}/{partition}/{offset}") { _, context in try await letters.show(context) }
        let replayers = signedIn.group().add(middleware: ConsoleScope(scope: Scopes.deadLettersReplay))
        replayers.post("/dead-letters/dry-run") { _, context in try await letters.dryRun(context) }
        replayers.post("/dead-letters/replay") { _, context in try await letters.replay(context) }
        replayers.get("/replays/{id}") { _, context in try letters.progress(context) }
        replayers.get("/replays/{id}/status.json") { _, context in try letters.progressJSON(context) }

        let residents = ConsoleResidents(gateway: gateway)
        let historians = signedIn.group().add(middleware: ConsoleScope(scope: Scopes.historyRead))
        historians.get("/residents") { request, context in try await residents.page(request, context) }
        historians.get("/residents/export.csv") { request, context in try await residents.csv(request, context) }
        historians.get("/residents/print") { request, context in try await residents.printable(request, context) }

        let health = ConsoleHealth(gateway: gateway)
        signedIn.get("/health") { _, context in try await health.page(context) }
        historians.post("/health/verify") { _, context in try await health.verify(context) }
        signedIn.group().add(middleware: ConsoleScope(scope: Scopes.gatewayManage)).post("/health/maintenance") {
            _, context in try await health.maintenance(context)
        }
    }
}
