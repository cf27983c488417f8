import RenkeiContracts

/// Collects the channels, operations, messages and schemas of one system's AsyncAPI document, linkage by
/// linkage, in contract order (so the same contracts always give the same bytes).
struct AsyncAPIBuilder {
    /// The name of the reply topic's instance parameter.
    static let instanceParameter = "{instance}"
    /// The Kafka binding version written (the latest the AsyncAPI 3.0 bindings define).
    static let kafkaBindingVersion = "0.5.0"
    /// The HTTP binding version written.
    static let httpBindingVersion = "0.3.0"
    /// Where the gateway's routes are described.
    static let openAPIDocument = "docs/openapi.yaml"

    let contracts: ContractSet
    let system: System
    let plan: TopicPlan
    let kafka: String
    let gateway: GatewayAddress

    var channels: [(String, JSONValue)] = []
    var operations: [(String, JSONValue)] = []
    var messages: [(String, JSONValue)] = []
    var schemas: [(String, JSONValue)] = []
    var scopes: [String] = []
    var usesWebhook = false

    init(contracts: ContractSet, system: System, plan: TopicPlan, kafka: String, gateway: GatewayAddress) {
        self.contracts = contracts
        self.system = system
        self.plan = plan
        self.kafka = kafka
        self.gateway = gateway
    }

    /// A name usable as a key of channels, operations and components (letters, digits, `-`, `_`).
    static func name(_ parts: String...) -> String {
        String(
            parts.joined(separator: "-").unicodeScalars.map { scalar -> Character in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-")
                    ? Character(scalar) : "_"
            })
    }

    static func ref(_ pointer: String) -> JSONValue { .object([("$ref", .string(pointer))]) }

    mutating func addSchema(_ name: String, _ schema: JSONValue) {
        guard !schemas.contains(where: { $0.0 == name }) else { return }
        schemas.append((name, schema))
    }

    mutating func addMessage(_ name: String, _ message: JSONValue) {
        guard !messages.contains(where: { $0.0 == name }) else { return }
        messages.append((name, message))
    }

    mutating func addScope(_ scope: String?) {
        if let scope, !scopes.contains(scope) { scopes.append(scope) }
    }

    /// A Kafka channel on planned topic `topic`, carrying `messageNames` (components/messages).
    mutating func addKafkaChannel(
        _ name: String, topic: String, title: String, description: String, messageNames: [(String, String)],
        parameters: [(String, JSONValue)] = []
    ) {
        guard !channels.contains(where: { $0.0 == name }) else { return }
        var members: [(String, JSONValue)] = [
            ("address", .string(topic)), ("title", .string(title)), ("description", .string(description)),
            ("servers", [Self.ref("#/servers/kafka")]),
        ]
        members.append(
            ("messages", .object(messageNames.map { ($0.0, Self.ref("#/components/messages/\($0.1)")) })))
        if !parameters.isEmpty { members.append(("parameters", .object(parameters))) }
        if let planned = plan.topic(topic) {
            members.append(("bindings", .object([("kafka", Self.kafkaChannelBinding(planned))])))
            members.append(("x-renkei-topic-class", .string(planned.topicClass.rawValue)))
            members.append(("x-renkei-min-insync-replicas", .integer(planned.minInsyncReplicas)))
        }
        channels.append((name, .object(members)))
    }

    static func kafkaChannelBinding(_ topic: PlannedTopic) -> JSONValue {
        .object([
            ("partitions", .integer(topic.partitions)), ("replicas", .integer(topic.replicationFactor)),
            (
                "topicConfiguration",
                .object([
                    ("cleanup.policy", [.string(topic.topicClass.cleanupPolicy)]),
                    ("retention.ms", .integer(Int(topic.retention.milliseconds))),
                ])
            ),
            ("bindingVersion", .string(kafkaBindingVersion)),
        ])
    }

    /// An operation on `channel` with the channel's messages `messageKeys`.
    mutating func addOperation(
        _ name: String, action: String, channel: String, messageKeys: [String], title: String, description: String,
        extra: [(String, JSONValue)]
    ) {
        var members: [(String, JSONValue)] = [
            ("action", .string(action)), ("channel", Self.ref("#/channels/\(channel)")), ("title", .string(title)),
            ("description", .string(description)),
            ("messages", .array(messageKeys.map { Self.ref("#/channels/\(channel)/messages/\($0)") })),
        ]
        members += extra
        operations.append((name, .object(members)))
    }

    /// `x-renkei-rest`: the gateway route a system uses for an operation instead of Kafka.
    func rest(method: String, route: String, linkage: Linkage, scope: String?) -> (String, JSONValue) {
        var members: [(String, JSONValue)] = [
            ("method", .string(method)), ("path", .string(route)),
            ("url", .string(gateway.url(route.replacingOccurrences(of: "{linkage}", with: linkage.id)))),
            ("document", .string(Self.openAPIDocument)),
        ]
        if let scope { members.append(("scope", .string(scope))) }
        return ("x-renkei-rest", .object(members))
    }

    /// `x-renkei-access`: who may do this and why — the zone, the purpose of use and the gateway scope.
    func access(purpose: String?, scope: String?) -> (String, JSONValue) {
        var members: [(String, JSONValue)] = [("zone", .string(system.zone.rawValue))]
        if let purpose { members.append(("purpose", .string(purpose))) }
        members.append(("scope", scope.map(JSONValue.string) ?? .null))
        return ("x-renkei-access", .object(members))
    }

    /// `x-renkei-linkage`: the contract an operation belongs to.
    static func linkageExtension(_ linkage: Linkage) -> (String, JSONValue) {
        var members: [(String, JSONValue)] = [
            ("id", .string(linkage.id)), ("title", .string(linkage.title)), ("mode", .string(linkage.mode.rawValue)),
            ("trigger", .string(linkage.trigger.rawValue)), ("provider", .string(linkage.provider)),
            ("layout", .string(linkage.layout.description)),
        ]
        if let schedule = linkage.schedule { members.append(("schedule", .string(schedule.description))) }
        return ("x-renkei-linkage", .object(members))
    }

    /// The whole document.
    func document() -> JSONValue {
        let kafkaServer: [(String, JSONValue)] = [
            ("host", .string(kafka)), ("protocol", "kafka"),
            (
                "description",
                .string(
                    "The Kafka cluster of the bus. Messages carry a CloudEvents 1.0 envelope in Kafka binary mode "
                        + "(docs/envelope.md); the Kafka key is the record key.")
            ),
            ("bindings", .object([("kafka", .object([("bindingVersion", .string(Self.kafkaBindingVersion))]))])),
        ]
        var gatewayServer: [(String, JSONValue)] = [
            ("host", .string(gateway.host)), ("protocol", .string(gateway.scheme)),
        ]
        if !gateway.path.isEmpty { gatewayServer.append(("pathname", .string(gateway.path))) }
        gatewayServer.append(
            (
                "description",
                .string(
                    "The bus's HTTP gateway (\(Self.openAPIDocument)): provide, pull feeds, files, queries. OAuth 2.0 "
                        + "client credentials.")
            ))
        gatewayServer.append(("security", [Self.ref("#/components/securitySchemes/gateway")]))
        var serverMembers: [(String, JSONValue)] = [
            ("kafka", .object(kafkaServer)), ("gateway", .object(gatewayServer)),
        ]
        if usesWebhook, let webhook = system.endpoints.webhook, let address = GatewayAddress(webhook) {
            let webhookServer: [(String, JSONValue)] = [
                ("host", .string(address.host)), ("protocol", .string(address.scheme)),
                (
                    "description",
                    .string(
                        "This system's webhook: the bus POSTs each record to it (CloudEvents HTTP binary mode, `ce-*` "
                            + "headers), retrying by the linkage's failure policy.")
                ),
            ]
            serverMembers.append(("webhook", .object(webhookServer)))
        }
        let security: JSONValue = .object([
            ("type", "oauth2"),
            (
                "description",
                "Client credentials (client_secret_jwt or client_secret_basic); scopes from the contracts."
            ),
            (
                "flows",
                .object([
                    (
                        "clientCredentials",
                        .object([
                            ("tokenUrl", .string(gateway.url("/oauth/token"))),
                            ("availableScopes", .object(scopes.map { ($0, .string(Self.scopeDescription($0))) })),
                        ])
                    )
                ])
            ),
            ("scopes", .array(scopes.map(JSONValue.string))),
        ])
        return .object([
            ("asyncapi", .string(AsyncAPIDocument.version)),
            ("id", .string(Envelope.source(system: system.id))),
            (
                "info",
                .object([
                    ("title", .string("\(system.name) (\(system.id)) on the Renkei bus")),
                    ("version", .string(contractVersion())),
                    (
                        "description",
                        .string(
                            "What system \(system.id) sends and receives under the contracts: \(system.kind.rawValue) "
                                + "system in the \(system.zone.rawValue) zone. Generated by `renkei contract "
                                + "asyncapi`; payloads hold exactly the items the contracts give this system.")
                    ),
                    (
                        "x-renkei-system",
                        .object([
                            ("id", .string(system.id)), ("name", .string(system.name)),
                            ("kind", .string(system.kind.rawValue)), ("zone", .string(system.zone.rawValue)),
                        ])
                    ),
                ])
            ),
            ("defaultContentType", "application/json"),
            ("servers", .object(serverMembers)),
            ("channels", .object(channels)),
            ("operations", .object(operations)),
            (
                "components",
                .object([
                    ("schemas", .object(schemas)), ("messages", .object(messages)),
                    ("securitySchemes", .object([("gateway", security)])),
                ])
            ),
        ])
    }

    /// A digest of the linkages this system takes part in, as loaded: it changes when one of them does.
    private func contractVersion() -> String {
        let versions = contracts.linkages.filter { linkage in
            linkage.provider == system.id || linkage.receivers.contains { $0.system == system.id }
        }.map { LinkageRoute.contractVersion(of: $0) }
        return LinkageRoute.contractVersion(text: versions.joined(separator: "\n"))
    }

    private static func scopeDescription(_ scope: String) -> String {
        switch scope.split(separator: ":").last {
        case "provide": "Provide records and bulk transfers of the linkage."
        case "read": "Read the linkage's feed."
        case "files": "List and fetch the linkage's files."
        case "query": "Ask the linkage's provider."
        default: "A scope of the contracts."
        }
    }
}
