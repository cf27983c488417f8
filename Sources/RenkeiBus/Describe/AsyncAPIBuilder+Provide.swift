import RenkeiContracts

/// The channels and operations of a provide linkage: the provider sends each receiver's copy to the receiver's
/// topics; each receiver receives its copy by its delivery method.
extension AsyncAPIBuilder {
    mutating func addProvide(_ route: LinkageRoute) {
        let linkage = route.linkage
        let keyItem = route.schema.layout.items[route.keyItem]
        let isProvider = linkage.provider == system.id
        for destination in route.destinations where isProvider || destination.receiver.system == system.id {
            let receiver = destination.receiver
            let schema = projectionSchema(linkage, receiver)
            let payload = Self.ref("#/components/schemas/\(schema)")
            let names = (
                record: Self.name("record", linkage.id, "to", receiver.system),
                manifest: Self.name("manifest", linkage.id, "to", receiver.system),
                chunk: Self.name("chunk", linkage.id, "to", receiver.system)
            )
            let outbound = Self.name(linkage.id, "to", receiver.system)
            let bulk = Self.name(linkage.id, "bulk", "to", receiver.system)
            // Push and file receivers read no Kafka topic: their messages are the webhook's and the files'.
            if isProvider || receiver.delivery == .pull || receiver.delivery == .kafka {
                addMessage(
                    names.record,
                    Self.message(
                        name: names.record, title: "\(linkage.title) → \(receiver.system)",
                        summary: "One record of \(linkage.layout) with exactly the items \(receiver.system) gets.",
                        contentType: "application/json",
                        headers: Self.envelopeHeaders(
                            linkage: linkage, keyItem: keyItem, type: .record, contentType: "application/json",
                            receivers: [receiver]),
                        payload: payload, key: "The record key: \(keyItem.name) (\(keyItem.key))."))
                addSchema("transfer-manifest", Self.manifestSchema)
                addMessage(
                    names.manifest,
                    Self.message(
                        name: names.manifest, title: "Bulk transfer manifest → \(receiver.system)",
                        summary:
                            "A completed bulk transfer of \(linkage.id): its chunks on the bulk topic, with digests.",
                        contentType: "application/json",
                        headers: Self.envelopeHeaders(
                            linkage: linkage, keyItem: nil, type: .transferManifest, contentType: "application/json",
                            receivers: [receiver]),
                        payload: Self.ref("#/components/schemas/transfer-manifest"), key: "The transfer id."))
                addMessage(
                    names.chunk,
                    Self.message(
                        name: names.chunk, title: "Bulk transfer chunk → \(receiver.system)",
                        summary: "JSON Lines of a bulk transfer, reached only through its manifest; each line is one "
                            + "record with exactly the items \(receiver.system) gets.",
                        contentType: "application/jsonl",
                        headers: Self.envelopeHeaders(
                            linkage: linkage, keyItem: nil, type: .transferChunk, contentType: "application/jsonl",
                            receivers: [receiver]),
                        payload: payload, key: nil))
                addKafkaChannel(
                    outbound, topic: destination.topic, title: "\(linkage.id) → \(receiver.system)",
                    description: "What \(receiver.system) gets from \(linkage.id): records and bulk manifests.",
                    messageNames: [("record", names.record), ("manifest", names.manifest)])
                addKafkaChannel(
                    bulk, topic: destination.bulkTopic, title: "\(linkage.id) bulk chunks → \(receiver.system)",
                    description: "The chunks of bulk transfers to \(receiver.system), reached through the manifests.",
                    messageNames: [("chunk", names.chunk)])
            }
            if isProvider {
                addProviderOperations(linkage, receiver, outbound: outbound, bulk: bulk)
            } else {
                addReceiverOperations(
                    linkage, destination, outbound: outbound, bulk: bulk, record: names.record, payload: payload)
            }
        }
    }

    private mutating func addProviderOperations(
        _ linkage: Linkage, _ receiver: Receiver, outbound: String, bulk: String
    ) {
        let scope = AccessScope.provide(linkage)
        addScope(scope)
        let receiverExtension: (String, JSONValue) = (
            "x-renkei-receiver",
            .object([
                ("system", .string(receiver.system)), ("delivery", .string(receiver.delivery.rawValue)),
                ("purpose", .string(receiver.purpose)),
            ])
        )
        addOperation(
            Self.name("provide", linkage.id, "to", receiver.system), action: "send", channel: outbound,
            messageKeys: ["record", "manifest"], title: "Provide \(linkage.id) (copy for \(receiver.system))",
            description: "Records provided through the gateway or the Swift library are validated against "
                + "\(linkage.layout), projected to \(receiver.system)'s items and written here in one transaction "
                + "with every other receiver's copy and the history entries.",
            extra: [
                Self.linkageExtension(linkage), access(purpose: nil, scope: scope), receiverExtension,
                rest(method: "POST", route: "/linkages/{linkage}/records", linkage: linkage, scope: scope),
            ])
        addOperation(
            Self.name("transfer", linkage.id, "to", receiver.system), action: "send", channel: bulk,
            messageKeys: ["chunk"], title: "Bulk transfer of \(linkage.id) (chunks for \(receiver.system))",
            description: "A bulk transfer's records in chunks; its manifest follows on the receiver's topic once "
                + "every chunk is stored.",
            extra: [
                Self.linkageExtension(linkage), access(purpose: nil, scope: scope), receiverExtension,
                rest(method: "POST", route: "/linkages/{linkage}/transfers", linkage: linkage, scope: scope),
            ])
    }

    private mutating func addReceiverOperations(
        _ linkage: Linkage, _ destination: LinkageRoute.Destination, outbound: String, bulk: String, record: String,
        payload: JSONValue
    ) {
        let receiver = destination.receiver
        let scope = AccessScope.receiving(linkage, receiver)
        addScope(scope)
        let common = [Self.linkageExtension(linkage), access(purpose: receiver.purpose, scope: scope)]
        let name = Self.name("receive", linkage.id)
        let title = "Receive \(linkage.id)"
        switch receiver.delivery {
        case .pull:
            addOperation(
                name, action: "receive", channel: outbound, messageKeys: ["record"], title: title,
                description: "Read through the gateway's feed with a cursor; bulk transfers come expanded to records.",
                extra: common + [
                    delivery(.pull, destination, []),
                    rest(method: "GET", route: "/linkages/{linkage}/feed", linkage: linkage, scope: scope),
                ])
        case .kafka:
            addOperation(
                name, action: "receive", channel: outbound, messageKeys: ["record", "manifest"], title: title,
                description: "Consumed directly from Kafka (the Swift library's BusReceiver), in a consumer group.",
                extra: common + [
                    (
                        "bindings",
                        .object([
                            (
                                "kafka",
                                .object([
                                    (
                                        "groupId",
                                        Self.constant(
                                            ConsumerGroups.receiver(linkage: linkage.id, receiver: receiver.system),
                                            "The receiver's default consumer group.")
                                    ),
                                    ("bindingVersion", .string(Self.kafkaBindingVersion)),
                                ])
                            )
                        ])
                    ),
                    delivery(.kafka, destination, []),
                ])
            addOperation(
                Self.name("receive", linkage.id, "bulk"), action: "receive", channel: bulk, messageKeys: ["chunk"],
                title: "\(title): bulk chunks",
                description: "Read by position from each manifest's chunk list; check each chunk's SHA-256.",
                extra: common + [delivery(.kafka, destination, [])])
        case .push:
            addPush(linkage, destination, payload: payload, common: common, name: name, title: title)
        case .file:
            addFiles(linkage, destination, payload: payload, common: common, name: name, title: title, scope: scope)
        }
    }

    private mutating func addPush(
        _ linkage: Linkage, _ destination: LinkageRoute.Destination, payload: JSONValue,
        common: [(String, JSONValue)], name: String, title: String
    ) {
        let receiver = destination.receiver
        let keyItem = contracts.layout(linkage.layout)?.item(linkage.keyItem)
        let message = Self.name("push", linkage.id, "to", receiver.system)
        addMessage(
            message,
            .object([
                ("name", .string(message)), ("title", .string("\(linkage.title) → \(receiver.system) (webhook)")),
                ("summary", .string("One record POSTed to the webhook, CloudEvents HTTP binary mode.")),
                ("contentType", "application/json"),
                (
                    "headers",
                    Self.envelopeHeaders(
                        linkage: linkage, keyItem: keyItem, type: .record, contentType: "application/json",
                        receivers: [receiver], http: true)
                ),
                ("payload", payload),
            ]))
        let channel = Self.name(linkage.id, "webhook")
        usesWebhook = true
        let path = system.endpoints.webhook.flatMap(GatewayAddress.init)?.path ?? ""
        channels.append(
            (
                channel,
                .object([
                    ("address", .string(path.isEmpty ? "/" : path)), ("title", .string("\(linkage.id) webhook")),
                    ("description", .string("The bus POSTs each record of \(linkage.id) for this system here.")),
                    ("servers", [Self.ref("#/servers/webhook")]),
                    ("messages", .object([("record", Self.ref("#/components/messages/\(message)"))])),
                    ("x-renkei-kafka-topic", .string(destination.topic)),
                ])
            ))
        let policy = linkage.failurePolicy
        addOperation(
            name, action: "receive", channel: channel, messageKeys: ["record"], title: title,
            description: "Pushed by the bus in per-key order; answer 2xx to accept. After the policy's attempts the "
                + "record goes to the dead-letter topic.",
            extra: common + [
                (
                    "bindings",
                    .object([
                        (
                            "http",
                            .object([("method", "POST"), ("bindingVersion", .string(Self.httpBindingVersion))])
                        )
                    ])
                ),
                delivery(
                    .push, destination,
                    [
                        ("webhook", .string(system.endpoints.webhook ?? "")),
                        ("attempts", .integer(policy.pushAttempts)),
                        ("initialBackoffMilliseconds", .integer(policy.initialBackoffMilliseconds)),
                        ("maxBackoffMilliseconds", .integer(policy.maxBackoffMilliseconds)),
                        (
                            "consumerGroup",
                            .string(ConsumerGroups.push(linkage: linkage.id, receiver: receiver.system))
                        ),
                    ]),
            ])
    }

    private mutating func addFiles(
        _ linkage: Linkage, _ destination: LinkageRoute.Destination, payload: JSONValue,
        common: [(String, JSONValue)], name: String, title: String, scope: String?
    ) {
        let receiver = destination.receiver
        let message = Self.name("file-row", linkage.id, "to", receiver.system)
        addMessage(
            message,
            .object([
                ("name", .string(message)), ("title", .string("\(linkage.title) → \(receiver.system) (file row)")),
                (
                    "summary",
                    .string(
                        "One CSV row (UTF-8, layout order, a header line first) of a file with its manifest (count, "
                            + "SHA-256).")
                ),
                ("contentType", "text/csv"), ("payload", payload),
            ]))
        let channel = Self.name(linkage.id, "files")
        var storage: [(String, JSONValue)] = [
            ("location", .string(system.endpoints.storage ?? "")),
            ("mode", .string((receiver.fileMode ?? .differential).rawValue)),
        ]
        if let schedule = linkage.schedule { storage.append(("schedule", .string(schedule.description))) }
        // A file receiver has no Kafka channel of its own: the bus reads the topic and writes files, so the channel
        // has no address and names the storage location instead.
        channels.append(
            (
                channel,
                .object([
                    ("address", .null), ("title", .string("\(linkage.id) files")),
                    (
                        "description",
                        .string(
                            "Files written by the bus into this system's storage location (docs/file-linkage.md); "
                                + "no Kafka topic is read by this system.")
                    ),
                    ("servers", [Self.ref("#/servers/gateway")]),
                    ("messages", .object([("row", Self.ref("#/components/messages/\(message)"))])),
                    ("x-renkei-storage", .object(storage)),
                ])
            ))
        addOperation(
            name, action: "receive", channel: channel, messageKeys: ["row"], title: title,
            description: "Files appear in the storage location; their manifests can be listed through the gateway.",
            extra: common + [
                delivery(.file, destination, storage),
                rest(method: "GET", route: "/linkages/{linkage}/files", linkage: linkage, scope: scope),
            ])
    }

    /// `x-renkei-delivery`: how this system gets its copy, and the bus topic it is staged on.
    private func delivery(
        _ method: Delivery, _ destination: LinkageRoute.Destination, _ details: [(String, JSONValue)]
    ) -> (String, JSONValue) {
        (
            "x-renkei-delivery",
            .object(
                [("method", .string(method.rawValue)), ("topic", .string(destination.topic))] as [(String, JSONValue)]
                    + details)
        )
    }
}
