import RenkeiContracts

/// The channels and operations of a query linkage (照会), as AsyncAPI request/reply: askers send questions to the
/// linkage's query topic; the provider answers on the asking instance's reply topic, named by the question's
/// `renkei_query_reply_to` header, with the question's correlation id.
extension AsyncAPIBuilder {
    mutating func addQuery(_ route: QueryRoute) {
        let linkage = route.linkage
        let isProvider = linkage.provider == system.id
        let askers = isProvider ? linkage.receivers : linkage.receivers.filter { $0.system == system.id }
        guard !askers.isEmpty else { return }
        let keyItem = route.schema.layout.items[route.keyItem]
        let questionSchema = Self.name(linkage.id, "question", isProvider ? "any" : askers[0].system)
        let conditionKeys = route.schema.layout.items.map(\.key).filter { key in
            askers.contains { $0.items.contains(key) }
        }
        addSchema(
            questionSchema,
            .object([
                ("type", "object"),
                ("description", "A question: a record key, or item conditions that every answered record meets."),
                (
                    "properties",
                    .object([
                        ("key", .object([("type", "string"), ("title", .string(keyItem.name))])),
                        (
                            "conditions",
                            .object([
                                ("type", "object"),
                                ("propertyNames", .object([("enum", .array(conditionKeys.map(JSONValue.string)))])),
                                ("additionalProperties", .object([("type", "string")])),
                            ])
                        ),
                    ])
                ),
                ("additionalProperties", false),
            ]))
        let question = Self.name("question", linkage.id, isProvider ? "any" : askers[0].system)
        addMessage(
            question,
            Self.message(
                name: question, title: "\(linkage.title): question",
                summary: "A question to \(linkage.provider), answered before its deadline or not at all.",
                contentType: "application/json",
                headers: Self.envelopeHeaders(
                    linkage: linkage, keyItem: keyItem, type: .queryRequest, contentType: "application/json",
                    receivers: askers,
                    extra: [
                        Header(
                            name: QueryHeader.replyTo,
                            schema: Self.text("The asking instance's reply topic, renkei.reply.<instance>."),
                            required: true),
                        Header(
                            name: QueryHeader.deadline,
                            schema: .object([
                                ("type", "string"), ("format", "date-time"),
                                ("description", "Questions past it are dropped unanswered."),
                            ]), required: true),
                        Header(
                            name: QueryHeader.requestHash,
                            schema: Self.typed("string", pattern: "^[0-9a-f]{64}$"), required: true),
                    ]),
                payload: Self.ref("#/components/schemas/\(questionSchema)"), key: "The record key asked for, if any.",
                correlated: true))
        var answers: [(String, String)] = []
        for asker in askers {
            let schema = projectionSchema(linkage, asker)
            let answer = Self.name("answer", linkage.id, "to", asker.system)
            answers.append((Self.name("answer", "to", asker.system), answer))
            addMessage(
                answer,
                Self.message(
                    name: answer, title: "\(linkage.title): answer → \(asker.system)",
                    summary: "The matching records, one JSON object per line, each with exactly the items "
                        + "\(asker.system) gets; empty when nothing matches.",
                    contentType: "application/json",
                    headers: Self.envelopeHeaders(
                        linkage: linkage, keyItem: keyItem, type: .queryReply, contentType: "application/json",
                        receivers: [asker],
                        extra: [
                            Header(
                                name: QueryHeader.requestHash,
                                schema: Self.typed("string", pattern: "^[0-9a-f]{64}$"), required: true),
                            Header(
                                name: QueryHeader.status,
                                schema: .object([
                                    ("type", "string"),
                                    (
                                        "enum",
                                        [
                                            .string(QueryReplyStatus.ok), .string(QueryReplyStatus.providerError),
                                            .string(QueryReplyStatus.invalidAnswer),
                                        ]
                                    ),
                                ]), required: true),
                        ]),
                    payload: Self.ref("#/components/schemas/\(schema)"), key: "The query's correlation id.",
                    correlated: true))
        }
        let questions = Self.name(linkage.id, "questions")
        let replies = Self.name(linkage.id, "replies")
        addKafkaChannel(
            questions, topic: BusTopics.queries(linkage: linkage.id), title: "\(linkage.id) questions",
            description: "Questions to \(linkage.provider), partitioned by record key.",
            messageNames: [("question", question)])
        addKafkaChannel(
            replies, topic: BusTopics.replies(instance: Self.instanceParameter), title: "\(linkage.id) answers",
            description: "Answers, on the reply topic of the bus instance that asked.",
            messageNames: answers,
            parameters: [
                (
                    "instance",
                    .object([
                        ("description", "The asking bus instance (`renkei serve --instance`)."),
                        ("location", .string("$message.header#/\(QueryHeader.replyTo)")),
                    ])
                )
            ])
        let reply: (String, JSONValue) = (
            "reply",
            .object([
                (
                    "address",
                    .object([
                        ("description", "The reply topic named by the question."),
                        ("location", .string("$message.header#/\(QueryHeader.replyTo)")),
                    ])
                ),
                ("channel", Self.ref("#/channels/\(replies)")),
                ("messages", .array(answers.map { Self.ref("#/channels/\(replies)/messages/\($0.0)") })),
            ])
        )
        if isProvider {
            var extra: [(String, JSONValue)] = [
                Self.linkageExtension(linkage), access(purpose: nil, scope: nil), reply,
                (
                    "bindings",
                    .object([
                        (
                            "kafka",
                            .object([
                                (
                                    "groupId",
                                    Self.constant(
                                        ConsumerGroups.queries(linkage: linkage.id),
                                        "The provider's answerers share this group.")
                                ),
                                ("bindingVersion", .string(Self.kafkaBindingVersion)),
                            ])
                        )
                    ])
                ),
            ]
            if let endpoint = system.endpoints.query { extra.append(("x-renkei-query-endpoint", .string(endpoint))) }
            addOperation(
                Self.name("answer", linkage.id), action: "receive", channel: questions, messageKeys: ["question"],
                title: "Answer \(linkage.id)",
                description: "With a query endpoint, the bus POSTs each question there and sends the answer; a Swift "
                    + "provider answers with a QueryResponder. Answers are validated and projected to the asker's "
                    + "items by the bus.",
                extra: extra)
        } else {
            let asker = askers[0]
            let scope = AccessScope.query(linkage)
            addScope(scope)
            addOperation(
                Self.name("ask", linkage.id), action: "send", channel: questions, messageKeys: ["question"],
                title: "Ask \(linkage.id)",
                description: "Asked through the gateway, which sends the question and waits for the answer.",
                extra: [
                    Self.linkageExtension(linkage), access(purpose: asker.purpose, scope: scope), reply,
                    rest(method: "POST", route: "/linkages/{linkage}/query", linkage: linkage, scope: scope),
                ])
        }
    }
}
