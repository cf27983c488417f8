import CRdKafka

/// Another consumer group's committed offsets, asked through the admin client (ListConsumerGroupOffsets), so one
/// long-lived client can measure any number of groups without joining them.
extension KafkaAdmin {
    /// The offsets `group` committed for `partitions` of `topic`, by partition; a partition the group never committed
    /// is absent. An unknown group commits nothing: the answer is empty, not an error.
    public func committedOffsets(
        group: String, topic: String, partitions: [Int32]
    ) async throws(KafkaError) -> [Int32: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let client = self.client
        let timeout = configuration.operationTimeout
        return try await runBlocking { () throws(KafkaError) in
            try Self.listGroupOffsetsBlocking(
                client, group: group, partitions: partitions.map { KafkaTopicPartition(topic: topic, partition: $0) },
                timeout: timeout)
        }
    }

    private static func listGroupOffsetsBlocking(
        _ client: KafkaClientHandle, group: String, partitions: [KafkaTopicPartition], timeout: Duration
    ) throws(KafkaError) -> [Int32: Int64] {
        var errorText = [CChar](repeating: 0, count: 512)
        let request = TopicPartitionList.with(partitions.map { KafkaPartitionOffset($0, offset: .committed) }) {
            rd_kafka_ListConsumerGroupOffsets_new(group, $0)
        }
        guard let request else {
            throw KafkaError(code: .invalidArgument, message: "list offsets of group \(group): request not created")
        }
        var requests: [OpaquePointer?] = [request]
        defer { rd_kafka_ListConsumerGroupOffsets_destroy(request) }
        let queue = rd_kafka_queue_new(client.pointer)!
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(client.pointer, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS)!
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.milliseconds, &errorText, errorText.count)
        rd_kafka_ListConsumerGroupOffsets(client.pointer, &requests, 1, options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeout.milliseconds &+ 1000) else {
            throw KafkaError(code: .timedOut, message: "list offsets of group \(group): no answer within \(timeout)")
        }
        defer { rd_kafka_event_destroy(event) }
        let code = rd_kafka_event_error(event)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
            throw KafkaError(code: KafkaError.Code(code), message: "list offsets of group \(group): \(text)")
        }
        guard let result = rd_kafka_event_ListConsumerGroupOffsets_result(event) else { return [:] }
        var count = 0
        guard let groups = rd_kafka_ListConsumerGroupOffsets_result_groups(result, &count), count > 0,
            let answer = groups[0]
        else { return [:] }
        // Owned by the result: read, never destroyed here.
        if let error = rd_kafka_group_result_error(answer) {
            let code = KafkaError.Code(rd_kafka_error_code(error))
            throw KafkaError(
                code: code, message: "list offsets of group \(group): \(String(cString: rd_kafka_error_string(error)))")
        }
        guard let list = rd_kafka_group_result_partitions(answer) else { return [:] }
        var offsets: [Int32: Int64] = [:]
        for entry in TopicPartitionList.entries(list) where entry.offset.rawValue >= 0 {
            offsets[entry.topicPartition.partition] = entry.offset.rawValue
        }
        return offsets
    }
}
