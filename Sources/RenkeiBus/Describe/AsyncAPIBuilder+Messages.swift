import RenkeiContracts

/// The messages of the documents: CloudEvents headers (``EnvelopeHeader``), payload schemas and Kafka keys.
extension AsyncAPIBuilder {
    /// One header of a message: its name on Kafka, its schema, and whether every message has it.
    struct Header {
        let name: String
        let schema: JSONValue
        let required: Bool
    }

    static func text(_ description: String) -> JSONValue {
        .object([("type", "string"), ("description", .string(description))])
    }

    static func typed(_ type: String, pattern: String? = nil, format: String? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", .string(type))]
        if let pattern { members.append(("pattern", .string(pattern))) }
        if let format { members.append(("format", .string(format))) }
        return .object(members)
    }

    static func constant(_ value: String, _ description: String) -> JSONValue {
        .object([("type", "string"), ("const", .string(value)), ("description", .string(description))])
    }

    /// The envelope headers of a message of `type` on `linkage`, for `receivers` (one: its copy; several: any of
    /// them). `http` gives them as a webhook receives them (`ce-*`, `Content-Type`).
    static func envelopeHeaders(
        linkage: Linkage, keyItem: Item?, type: EventType, contentType: String, receivers: [Receiver],
        extra: [Header] = [], http: Bool = false
    ) -> JSONValue {
        var headers: [Header] = [
            Header(
                name: EnvelopeHeader.specVersion, schema: constant(Envelope.specVersion, "CloudEvents version."),
                required: true),
            Header(
                name: EnvelopeHeader.id,
                schema: text("The event id: unique per record and provide; a replay keeps it, so de-duplicate by it."),
                required: true),
            Header(
                name: EnvelopeHeader.source,
                schema: constant(Envelope.source(system: linkage.provider), "The providing system."), required: true),
            Header(name: EnvelopeHeader.type, schema: constant(type.rawValue, "What the message is."), required: true),
            Header(
                name: EnvelopeHeader.time,
                schema: .object([
                    ("type", "string"), ("format", "date-time"),
                    ("description", "When it was provided: RFC 3339, UTC, milliseconds."),
                ]), required: true),
        ]
        if let keyItem {
            headers.append(
                Header(
                    name: EnvelopeHeader.subject,
                    schema: text("The record key: \(keyItem.name) (\(keyItem.key)); also the Kafka key."),
                    required: type == .record))
        }
        if type == .record || type == .transferChunk || type == .transferManifest {
            headers.append(
                Header(
                    name: EnvelopeHeader.dataSchema,
                    schema: constant(
                        Envelope.dataSchema(layout: linkage.layout.description),
                        "The layout and version the records were validated against."), required: true))
        }
        headers.append(
            Header(
                name: EnvelopeHeader.contentType, schema: constant(contentType, "The data's media type."),
                required: true))
        headers.append(
            Header(name: EnvelopeHeader.linkage, schema: constant(linkage.id, "The linkage (連携要件)."), required: true))
        let systems = receivers.map(\.system)
        let purposes = receivers.map(\.purpose)
        headers.append(
            Header(
                name: EnvelopeHeader.receiver,
                schema: systems.count == 1
                    ? constant(systems[0], "The receiving system of this copy.")
                    : .object([
                        ("type", "string"), ("enum", .array(systems.map(JSONValue.string))),
                        ("description", "The receiving (asking) system."),
                    ]),
                required: true))
        if type != .queryRequest && type != .queryReply {
            headers.append(
                Header(
                    name: EnvelopeHeader.purpose,
                    schema: purposes.count == 1
                        ? constant(purposes[0], "The receiver's purpose of use, from the contract.")
                        : .object([("type", "string"), ("enum", .array(purposes.map(JSONValue.string)))]),
                    required: true))
        }
        let isQuery = type == .queryRequest || type == .queryReply
        headers.append(
            Header(
                name: EnvelopeHeader.correlationID,
                schema: text(
                    isQuery
                        ? "The query's correlation id: the reply carries the request's."
                        : "The provider's correlation id, when it gave one."), required: isQuery))
        if type == .transferChunk || type == .transferManifest {
            headers.append(Header(name: EnvelopeHeader.transfer, schema: text("The bulk transfer id."), required: true))
        }
        headers.append(
            Header(
                name: EnvelopeHeader.contractVersion,
                schema: constant(
                    LinkageRoute.contractVersion(of: linkage),
                    "The version of the linkage the message was written under; it changes when the contract does."),
                required: true))
        headers.append(
            Header(
                name: EnvelopeHeader.requestPurpose,
                schema: text(
                    "The caller's purpose for the request, when it gave one (HTTP `Renkei-Request-Purpose`): free "
                        + "text of at most \(RequestPurpose.maxBytes) bytes of UTF-8."),
                required: false))
        if type == .record {
            headers.append(
                Header(name: EnvelopeHeader.traceParent, schema: text("W3C trace context."), required: false))
        }
        headers += extra
        if http { headers += signatureHeaders }
        var properties: [(String, JSONValue)] = []
        var required: [JSONValue] = []
        for header in headers {
            let name = http ? EnvelopeHeader.httpName(header.name) ?? header.name : header.name
            properties.append((name, http ? percentEncoded(header.schema) : header.schema))
            if header.required { required.append(.string(name)) }
        }
        return .object([("type", "object"), ("properties", .object(properties)), ("required", .array(required))])
    }

    /// The Standard Webhooks headers every webhook and query-endpoint call carries (``WebhookSigner``).
    static let signatureHeaders = [
        Header(
            name: "webhook-id",
            schema: text(
                "The event id (the correlation id for a query): the same on every retry. A webhook may drop a repeated "
                    + "id; a query endpoint answers it again."),
            required: true),
        Header(
            name: "webhook-timestamp",
            schema: .object([
                ("type", "string"), ("pattern", "^[0-9]+$"),
                ("description", "When this attempt was made, Unix seconds."),
            ]), required: true),
        Header(
            name: "webhook-signature",
            schema: .object([
                ("type", "string"), ("pattern", "^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$"),
                (
                    "description",
                    .string(
                        "v1, and the base64 HMAC-SHA256 of `webhook-id.webhook-timestamp.body` under the system's "
                            + "signing secret (Standard Webhooks; docs/gateway.md).")
                ),
            ]), required: true),
    ]

    /// `schema` as an HTTP header carries it: a constant outside printable ASCII is percent-encoded
    /// (``CloudEventsHTTPValue``), and its description says what it decodes to.
    static func percentEncoded(_ schema: JSONValue) -> JSONValue {
        guard case .object(let members) = schema,
            let constant = members.first(where: { $0.0 == "const" }), case .string(let value) = constant.1
        else { return schema }
        let encoded = CloudEventsHTTPValue.encode(value)
        guard encoded != value else { return schema }
        return .object(
            members.map { member in
                switch member.0 {
                case "const": ("const", .string(encoded))
                case "description":
                    if case .string(let text) = member.1 {
                        ("description", .string(text + " Percent-encoded; decodes to \(value)."))
                    } else {
                        member
                    }
                default: member
                }
            })
    }

    /// The schema of what `receiver` gets from `linkage`: ``JSONSchemaExporter``'s projection, as an AsyncAPI Schema
    /// Object (a JSON Schema draft-07 superset; the exporter's keywords mean the same there, only its `$schema`
    /// naming draft 2020-12 is left out). Registered under components/schemas; returns its name.
    mutating func projectionSchema(_ linkage: Linkage, _ receiver: Receiver) -> String {
        let name = Self.name(linkage.id, "to", receiver.system)
        guard let projection = contracts.projection(linkage: linkage.id, receiver: receiver.system) else { return name }
        let exported = JSONSchemaExporter.schema(of: projection, linkage: linkage, receiver: receiver)
        guard case .object(let members) = exported else { return name }
        addSchema(name, .object(members.filter { $0.0 != "$schema" }))
        return name
    }

    /// The Kafka message binding: the key's schema.
    static func kafkaKey(_ description: String) -> JSONValue {
        .object([
            (
                "kafka",
                .object([("key", text(description)), ("bindingVersion", .string(kafkaBindingVersion))])
            )
        ])
    }

    static func message(
        name: String, title: String, summary: String, contentType: String, headers: JSONValue, payload: JSONValue,
        key: String?, correlated: Bool = false
    ) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(name)), ("title", .string(title)), ("summary", .string(summary)),
            ("contentType", .string(contentType)), ("headers", headers), ("payload", payload),
        ]
        if correlated {
            members.append(
                (
                    "correlationId",
                    .object([
                        ("description", "The query's correlation id."),
                        ("location", .string("$message.header#/\(EnvelopeHeader.correlationID)")),
                    ])
                ))
        }
        if let key { members.append(("bindings", kafkaKey(key))) }
        return .object(members)
    }

    /// The manifest of a bulk transfer (``TransferManifest``, written as JSON).
    static let manifestSchema: JSONValue = .object([
        ("type", "object"),
        (
            "description",
            "A completed bulk transfer: where its chunks are and their SHA-256 digests (docs/envelope.md)."
        ),
        (
            "required",
            [
                "transfer", "linkage", "receiver", "layout", "topic", "records", "chunkListSHA256", "contentType",
                "chunks", "completedAt",
            ]
        ),
        (
            "properties",
            .object([
                ("transfer", typed("string")), ("linkage", typed("string")), ("receiver", typed("string")),
                ("layout", typed("string")), ("topic", typed("string")), ("records", typed("integer")),
                ("chunkListSHA256", typed("string", pattern: "^[0-9a-f]{64}$")),
                ("contentType", typed("string")),
                (
                    "chunks",
                    .object([
                        ("type", "array"),
                        (
                            "items",
                            .object([
                                ("type", "object"), ("required", ["partition", "offset", "records", "sha256"]),
                                (
                                    "properties",
                                    .object([
                                        ("partition", typed("integer")), ("offset", typed("integer")),
                                        ("records", typed("integer")),
                                        ("sha256", typed("string", pattern: "^[0-9a-f]{64}$")),
                                    ])
                                ),
                            ])
                        ),
                    ])
                ),
                ("completedAt", typed("string", format: "date-time")),
            ])
        ),
    ])
}
