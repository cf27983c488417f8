import Foundation
import Logging
import RenkeiBus
import RenkeiGateway
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The demo's last step: the gateway on the demo's bus, so the operator console shows what the tour just did, until
/// Ctrl-C. Kept open only when asked (`--console`) or when the demo runs in a terminal; a scripted run ends at once
/// and prints where the console would be.
struct DemoConsole {
    let port: Int

    static let operatorID = "ops"

    /// Whether to keep the console open when the command line does not say: in a terminal, yes.
    static var interactive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

    static func signInHint() -> String {
        "sign in as `\(operatorID)`, secret `\(ClientSecrets.demoClientSecret(operatorID))`"
    }

    /// Serves the console on `port` (a free port when that one is taken) and returns after SIGINT or SIGTERM.
    func serve(bus: Bus, say: @escaping @Sendable (String) -> Void, logger: Logger) async throws {
        var configuration = GatewayConfiguration()
        configuration.port = PortProbe.problem(host: configuration.host, port: port) == nil ? port : 0
        let host = configuration.host
        let gateway = try await buildGateway(
            bus: bus, secrets: .demo(for: bus.contracts), configuration: configuration, logger: logger,
            onServerRunning: { bound in
                say("http://\(host):\(bound)/console/ — \(Self.signInHint())")
                say("the demo's data stays while it runs; Ctrl-C ends it")
                // Seen at once also when the output goes to a file or a pipe.
                fflush(nil)
            })
        let group = ServiceGroup(
            configuration: .init(
                services: gateway.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
