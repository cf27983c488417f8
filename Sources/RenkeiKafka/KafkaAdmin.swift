import CRdKafka
public import Logging

/// Topic administration and offset queries.
///
/// On an ``EmbeddedKafka`` of this process (recognised by its bootstrap address) topics are created through the
/// mock cluster's own API, because librdkafka 2.0.2's mock broker does not answer CreateTopics; elsewhere through
/// the CreateTopics admin request.
public final class KafkaAdmin: Sendable {
    let client: KafkaClientHandle
    let configuration: KafkaConfiguration

    private init(client: KafkaClientHandle, configuration: KafkaConfiguration) {
        self.client = client
        self.configuration = configuration
    }

    /// Creates an admin client. Connections are made lazily, on the first request.
    public static func make(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) -> KafkaAdmin {
        let client = try KafkaClientHandle.make(role: .admin, configuration: configuration, logger: logger)
        return KafkaAdmin(client: client, configuration: configuration)
    }

    /// Creates topics; a topic that already exists is not an error. Fails with the first per-topic error, and at
    /// once with ``KafkaError/Code/unsupportedFeature`` on an embedded cluster of another process, which does not
    /// answer CreateTopics (see ``clusterKind()``).
    public func createTopics(_ topics: [KafkaTopicSpecification]) async throws(KafkaError) {
        guard !topics.isEmpty else { return }
        if let embedded = EmbeddedKafkaRegistry.cluster(for: configuration.bootstrapServers) {
            for topic in topics {
                try embedded.createTopic(
                    topic.name, partitions: topic.partitions, replicationFactor: topic.replicationFactor)
            }
            return
        }
        if case .embeddedElsewhere(let id) = try await clusterKind() {
            throw KafkaError(
                code: .unsupportedFeature,
                message: "create topics: \(id) is librdkafka's mock cluster in another process, which does not answer "
                    + "CreateTopics; it creates unknown topics itself (4 partitions, no configs)")
        }
        let client = self.client
        let timeout = configuration.operationTimeout
        try await runBlocking { () throws(KafkaError) in try Self.createTopicsBlocking(client, topics, timeout) }
    }

    /// Creates one topic (see ``createTopics(_:)``).
    public func createTopic(
        _ name: String, partitions: Int, replicationFactor: Int = 1, configs: [String: String] = [:]
    )
        async throws(KafkaError)
    {
        try await createTopics([
            KafkaTopicSpecification(
                name: name, partitions: partitions, replicationFactor: replicationFactor, configs: configs)
        ])
    }

    /// Every topic the cluster reports, sorted by name.
    public func listTopics() async throws(KafkaError) -> [KafkaTopicMetadata] {
        try await metadata(topic: nil)
    }

    /// Metadata of one topic (its partitions and leaders).
    public func describeTopic(_ name: String) async throws(KafkaError) -> KafkaTopicMetadata {
        guard let topic = try await metadata(topic: name).first else {
            throw KafkaError(code: .unknownTopicOrPartition, message: "topic \(name) not found")
        }
        return topic
    }

    /// Low and high watermarks of one partition, asked of its leader.
    public func watermarks(topic: String, partition: Int32) async throws(KafkaError) -> KafkaWatermarks {
        let client = self.client
        let timeout = configuration.operationTimeout
        return try await runBlocking { () throws(KafkaError) in
            var low: Int64 = -1
            var high: Int64 = -1
            let code = rd_kafka_query_watermark_offsets(
                client.pointer, topic, partition, &low, &high, timeout.milliseconds)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(code: KafkaError.Code(code), context: "watermarks of \(topic)[\(partition)]")
            }
            return KafkaWatermarks(low: low, high: high)
        }
    }

    /// Watermarks of every partition of a topic, by partition.
    public func watermarks(topic: String) async throws(KafkaError) -> [Int32: KafkaWatermarks] {
        let description = try await describeTopic(topic)
        var result: [Int32: KafkaWatermarks] = [:]
        for partition in description.partitions {
            result[partition] = try await watermarks(topic: topic, partition: partition)
        }
        return result
    }

    private func metadata(topic: String?) async throws(KafkaError) -> [KafkaTopicMetadata] {
        let client = self.client
        let timeout = configuration.operationTimeout
        return try await runBlocking { () throws(KafkaError) in
            var topicHandle: OpaquePointer? = nil
            if let topic { topicHandle = rd_kafka_topic_new(client.pointer, topic, nil) }
            defer { if let topicHandle { rd_kafka_topic_destroy(topicHandle) } }
            var metadata: UnsafePointer<rd_kafka_metadata>? = nil
            let code = rd_kafka_metadata(
                client.pointer, topic == nil ? 1 : 0, topicHandle, &metadata, timeout.milliseconds)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                throw KafkaError(code: KafkaError.Code(code), context: "metadata")
            }
            defer { rd_kafka_metadata_destroy(metadata) }
            var result: [KafkaTopicMetadata] = []
            for index in 0..<Int(metadata.pointee.topic_cnt) {
                let entry = metadata.pointee.topics[index]
                if entry.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    if topic != nil {
                        throw KafkaError(
                            code: KafkaError.Code(entry.err), context: "metadata of \(String(cString: entry.topic))")
                    }
                    continue
                }
                let partitions = (0..<Int(entry.partition_cnt)).map { entry.partitions[$0] }.sorted { $0.id < $1.id }
                result.append(
                    KafkaTopicMetadata(
                        name: String(cString: entry.topic), partitions: partitions.map(\.id),
                        leaders: partitions.map(\.leader), replicaCounts: partitions.map { Int($0.replica_cnt) }))
            }
            return result.sorted { $0.name < $1.name }
        }
    }

    private static func createTopicsBlocking(
        _ client: KafkaClientHandle, _ topics: [KafkaTopicSpecification], _ timeout: Duration
    ) throws(KafkaError) {
        var errorText = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        for spec in topics {
            guard
                let topic = rd_kafka_NewTopic_new(
                    spec.name, Int32(spec.partitions), Int32(spec.replicationFactor), &errorText, errorText.count)
            else {
                let reason = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                throw .configuration(key: "topic \(spec.name)", reason: reason)
            }
            newTopics.append(topic)
            for (key, value) in spec.configs.sorted(by: { $0.key < $1.key }) {
                let code = rd_kafka_NewTopic_set_config(topic, key, value)
                if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                    throw .configuration(key: key, reason: KafkaError.Code(code).description)
                }
            }
        }
        let queue = rd_kafka_queue_new(client.pointer)!
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(client.pointer, RD_KAFKA_ADMIN_OP_CREATETOPICS)!
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.milliseconds, &errorText, errorText.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeout.milliseconds, &errorText, errorText.count)
        rd_kafka_CreateTopics(client.pointer, &newTopics, newTopics.count, options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeout.milliseconds &+ 1000) else {
            throw KafkaError(code: .timedOut, message: "create topics: no answer within \(timeout)")
        }
        defer { rd_kafka_event_destroy(event) }
        let code = rd_kafka_event_error(event)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
            throw KafkaError(code: KafkaError.Code(code), message: "create topics: \(text)")
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else { return }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
        for index in 0..<count {
            let topicResult = results[index]
            let topicCode = rd_kafka_topic_result_error(topicResult)
            if topicCode == RD_KAFKA_RESP_ERR_NO_ERROR || topicCode == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS {
                continue
            }
            let name = String(cString: rd_kafka_topic_result_name(topicResult))
            let text = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? ""
            throw KafkaError(code: KafkaError.Code(topicCode), message: "create topic \(name): \(text)")
        }
    }
}
