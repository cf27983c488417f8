import CRdKafka

extension KafkaAdmin {
    /// Which kind of cluster this client talks to. The in-process embedded cluster is recognised by its bootstrap
    /// address; librdkafka's mock cluster in another process by the cluster id it reports (`mockCluster…`,
    /// librdkafka's `rd_kafka_mock_cluster_new`), because that mock answers neither CreateTopics nor
    /// DescribeConfigs and a request would only time out.
    public func clusterKind() async throws(KafkaError) -> KafkaClusterKind {
        if EmbeddedKafkaRegistry.cluster(for: configuration.bootstrapServers) != nil { return .embeddedInProcess }
        let id = try await clusterID()
        return id.hasPrefix(Self.mockClusterIDPrefix) ? .embeddedElsewhere(clusterID: id) : .broker(clusterID: id)
    }

    /// The id the cluster reports in its metadata.
    public func clusterID() async throws(KafkaError) -> String {
        let client = self.client
        let timeout = configuration.operationTimeout
        return try await runBlocking { () throws(KafkaError) in
            guard let id = rd_kafka_clusterid(client.pointer, timeout.milliseconds) else {
                throw KafkaError(code: .timedOut, message: "the cluster did not report its id within \(timeout)")
            }
            defer { rd_kafka_mem_free(client.pointer, id) }
            return String(cString: id)
        }
    }

    /// The configuration of each topic in `topics`, config name → entry, as DescribeConfigs reports it. A topic
    /// the cluster does not know is left out. Not available on the embedded cluster (see ``clusterKind()``).
    public func describeTopicConfigs(
        _ topics: [String]
    ) async throws(KafkaError) -> [String: [String: KafkaConfigEntry]] {
        guard !topics.isEmpty else { return [:] }
        let client = self.client
        let timeout = configuration.operationTimeout
        return try await runBlocking { () throws(KafkaError) in
            try Self.configRequest(client, topics.map { ($0, [:]) }, timeout, describe: true)
        }
    }

    /// Sets the configuration of `topic` to `configs` with AlterConfigs: every dynamic config not named goes back
    /// to the broker default (librdkafka 2.0.2 has no IncrementalAlterConfigs). For tests and repairs.
    public func alterTopicConfigs(_ topic: String, _ configs: [String: String]) async throws(KafkaError) {
        let client = self.client
        let timeout = configuration.operationTimeout
        _ = try await runBlocking { () throws(KafkaError) in
            try Self.configRequest(client, [(topic, configs)], timeout, describe: false)
        }
    }

    static let mockClusterIDPrefix = "mockCluster"

    /// One DescribeConfigs or AlterConfigs round trip for topic resources.
    private static func configRequest(
        _ client: KafkaClientHandle, _ topics: [(String, [String: String])], _ timeout: Duration, describe: Bool
    ) throws(KafkaError) -> [String: [String: KafkaConfigEntry]] {
        var resources: [OpaquePointer?] = []
        defer { for resource in resources { rd_kafka_ConfigResource_destroy(resource) } }
        for (name, configs) in topics {
            let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name)
            resources.append(resource)
            for (key, value) in configs.sorted(by: { $0.key < $1.key }) {
                let code = rd_kafka_ConfigResource_set_config(resource, key, value)
                guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw .configuration(key: key, reason: KafkaError.Code(code).description)
                }
            }
        }
        var errorText = [CChar](repeating: 0, count: 512)
        let queue = rd_kafka_queue_new(client.pointer)!
        defer { rd_kafka_queue_destroy(queue) }
        let operation = describe ? RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS : RD_KAFKA_ADMIN_OP_ALTERCONFIGS
        let options = rd_kafka_AdminOptions_new(client.pointer, operation)!
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.milliseconds, &errorText, errorText.count)
        let what = describe ? "describe configs" : "alter configs"
        if describe {
            rd_kafka_DescribeConfigs(client.pointer, &resources, resources.count, options, queue)
        } else {
            rd_kafka_AlterConfigs(client.pointer, &resources, resources.count, options, queue)
        }
        guard let event = rd_kafka_queue_poll(queue, timeout.milliseconds &+ 1000) else {
            throw KafkaError(code: .timedOut, message: "\(what): no answer within \(timeout)")
        }
        defer { rd_kafka_event_destroy(event) }
        let code = rd_kafka_event_error(event)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
            throw KafkaError(code: KafkaError.Code(code), message: "\(what): \(text)")
        }
        var count = 0
        let results: UnsafeMutablePointer<OpaquePointer?>?
        if describe {
            guard let result = rd_kafka_event_DescribeConfigs_result(event) else { return [:] }
            results = rd_kafka_DescribeConfigs_result_resources(result, &count)
        } else {
            guard let result = rd_kafka_event_AlterConfigs_result(event) else { return [:] }
            results = rd_kafka_AlterConfigs_result_resources(result, &count)
        }
        guard let results else { return [:] }
        var described: [String: [String: KafkaConfigEntry]] = [:]
        for index in 0..<count {
            let resource = results[index]
            let name = String(cString: rd_kafka_ConfigResource_name(resource))
            let resourceCode = rd_kafka_ConfigResource_error(resource)
            if resourceCode == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && describe { continue }
            guard resourceCode == RD_KAFKA_RESP_ERR_NO_ERROR else {
                let text = rd_kafka_ConfigResource_error_string(resource).map { String(cString: $0) } ?? ""
                throw KafkaError(code: KafkaError.Code(resourceCode), message: "\(what) of topic \(name): \(text)")
            }
            var entryCount = 0
            var entries: [String: KafkaConfigEntry] = [:]
            if let list = rd_kafka_ConfigResource_configs(resource, &entryCount) {
                for entryIndex in 0..<entryCount {
                    let entry = list[entryIndex]
                    let key = String(cString: rd_kafka_ConfigEntry_name(entry))
                    entries[key] = KafkaConfigEntry(
                        name: key, value: rd_kafka_ConfigEntry_value(entry).map { String(cString: $0) },
                        isDefault: rd_kafka_ConfigEntry_is_default(entry) != 0)
                }
            }
            described[name] = entries
        }
        return described
    }
}
