import CRdKafka

/// Conversions between Swift partition values and `rd_kafka_topic_partition_list_t`.
enum TopicPartitionList {
    /// A new C list; the caller destroys it with `rd_kafka_topic_partition_list_destroy`.
    static func make(_ entries: [KafkaPartitionOffset]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(clamping: entries.count))!
        for entry in entries {
            let element = rd_kafka_topic_partition_list_add(
                list, entry.topicPartition.topic, entry.topicPartition.partition)!
            element.pointee.offset = entry.offset.rawValue
        }
        return list
    }

    /// Runs `body` with a temporary C list.
    static func with<T, E: Error>(
        _ entries: [KafkaPartitionOffset],
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws(E) -> T
    ) throws(E) -> T {
        let list = make(entries)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return try body(list)
    }

    /// The entries of a C list.
    static func entries(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [KafkaPartitionOffset] {
        var result: [KafkaPartitionOffset] = []
        result.reserveCapacity(Int(list.pointee.cnt))
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            result.append(
                KafkaPartitionOffset(
                    topic: String(cString: element.topic), partition: element.partition,
                    offset: KafkaOffset(rawValue: element.offset)))
        }
        return result
    }

    /// The first per-partition error in a C list, if any.
    static func firstError(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>, context: String) -> KafkaError? {
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            if element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                let code = KafkaError.Code(element.err)
                return KafkaError(
                    code: code,
                    message: "\(context) \(String(cString: element.topic))[\(element.partition)]: \(code.description)")
            }
        }
        return nil
    }
}
