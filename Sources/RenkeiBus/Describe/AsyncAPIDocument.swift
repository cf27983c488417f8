public import RenkeiContracts

/// An AsyncAPI 3.0 document of one system: the topics it sends to and receives from (channels), its send and
/// receive operations, the CloudEvents headers of each message, payload schemas of exactly the items the system
/// may send or receive (``JSONSchemaExporter``'s receiver projections), Kafka bindings from the ``TopicPlan``, and
/// the gateway routes a system uses instead of Kafka (`x-renkei-rest`).
///
/// It lives in RenkeiBus because everything it says is decided here — the routes compiled from the contracts, the
/// topic names (``BusTopics``), the topic plan's settings, the consumer groups (``ConsumerGroups``), the envelope
/// headers (``EnvelopeHeader``) and the gateway scopes (``AccessScope``) — so the document is generated from them,
/// never from names written a second time.
public enum AsyncAPIDocument {
    /// The AsyncAPI version written.
    public static let version = "3.0.0"

    /// Where the servers of the document are.
    public struct Servers: Sendable {
        /// The Kafka bootstrap server, `host:port`.
        public var kafka: String
        /// The gateway's base URL, `http://host:port` or `https://host/prefix`.
        public var gateway: String

        /// A placeholder broker (`.invalid` never resolves) and the gateway's default address.
        public static let placeholder = Servers(kafka: "kafka.invalid:9092", gateway: "http://127.0.0.1:8080")

        /// Servers at `kafka` and `gateway`.
        public init(kafka: String, gateway: String) {
            self.kafka = kafka
            self.gateway = gateway
        }
    }

    /// The document of `system`: what it sends and receives under `contracts`, with Kafka bindings from the topic
    /// plan built with `settings`. Fails when the system is unknown (naming the known ids) or the settings are
    /// refused.
    public static func make(
        contracts: ContractSet, system id: String, settings: TopicSettings, servers: Servers = .placeholder
    ) throws(AsyncAPIError) -> JSONValue {
        guard let system = contracts.system(id) else {
            throw AsyncAPIError(
                .unknownSystem,
                "There is no system `\(id)`; known systems: "
                    + contracts.systems.map(\.id).joined(separator: ", ") + ".")
        }
        guard let gateway = GatewayAddress(servers.gateway) else {
            throw AsyncAPIError(
                .invalidServer, "The gateway URL `\(servers.gateway)` is not `http://host[:port][/path]` or https.")
        }
        let routes = LinkageRoute.routes(for: contracts)
        let queries = QueryResponder.routes(contracts)
        let plan: TopicPlan
        do {
            // The reply topic's instance is a parameter of the document: planned under the parameter's own name, its
            // planned name is exactly the channel address `renkei.reply.{instance}`.
            plan = try TopicPlan(
                routes: routes.values, queryLinkages: queries.keys, instances: [AsyncAPIBuilder.instanceParameter],
                settings: settings)
        } catch {
            throw AsyncAPIError(.invalidSettings, error.description)
        }
        var builder = AsyncAPIBuilder(
            contracts: contracts, system: system, plan: plan, kafka: servers.kafka, gateway: gateway)
        for linkage in contracts.linkages {
            if let route = routes[linkage.id] {
                builder.addProvide(route)
            } else if let route = queries[linkage.id] {
                builder.addQuery(route)
            }
        }
        return builder.document()
    }
}

/// Why no AsyncAPI document could be made.
public struct AsyncAPIError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// The system is not in `systems.yaml`.
        case unknownSystem = "unknown-system"
        /// The gateway URL cannot be read.
        case invalidServer = "invalid-server"
        /// The topic settings break a rule of the topic plan.
        case invalidSettings = "invalid-settings"
    }

    /// What went wrong.
    public let code: Code
    /// What went wrong, in words naming the value.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// A gateway base URL split as AsyncAPI servers want it: protocol, host (with port) and path.
struct GatewayAddress {
    let scheme: String
    let host: String
    let path: String

    init?(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let host = rest.prefix { $0 != "/" }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else { return nil }
        var path = String(rest.dropFirst(host.count))
        while path.hasSuffix("/") { path.removeLast() }
        self.scheme = scheme
        self.host = String(host)
        self.path = path
    }

    /// The absolute URL of gateway path `path` (which starts with `/`).
    func url(_ path: String) -> String { "\(scheme)://\(host)\(self.path)\(path)" }
}
