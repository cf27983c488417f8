import CRdKafka
import Logging

/// The body of the consumer's dedicated thread: pulls batches with `rd_kafka_consume_batch_queue` (which also
/// serves rebalance callbacks), pushes them into the bounded channel, and on stop commits and leaves the group.
struct ConsumerPollLoop: Sendable {
    let client: KafkaClientHandle
    let channel: BatchChannel
    let rebalance: RebalanceHandler
    let options: KafkaConfiguration.ConsumerOptions
    let iteration: PollIterationLock
    let logger: Logger

    func run(control: PollThreadControl) {
        let queue = rd_kafka_queue_get_consumer(client.pointer)!
        let capacity = options.maxBatchSize
        // librdkafka writes each batch straight into the buffer the batch storage then owns, so nothing is copied;
        // a buffer that came back empty is used for the next call.
        typealias Buffer = UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>
        var buffer = Buffer.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        let waitMilliseconds = Int32(max(1, Int(options.batchWait.milliseconds)))
        var failure: KafkaError? = nil

        while !control.isStopRequested {
            guard channel.waitForRoom(timeoutMilliseconds: 100) else { continue }
            iteration.run {
                let generation = channel.generation
                // Take what is ready without waiting; if nothing is, wait for one message and then take the rest, so
                // batches are large under load and latency stays low when idle.
                var count = rd_kafka_consume_batch_queue(queue, 0, buffer.baseAddress, capacity)
                if count == 0 {
                    count = rd_kafka_consume_batch_queue(queue, waitMilliseconds, buffer.baseAddress, 1)
                    if count == 1 && capacity > 1 {
                        let more = rd_kafka_consume_batch_queue(queue, 0, buffer.baseAddress! + 1, capacity - 1)
                        if more > 0 { count += more }
                    }
                }
                guard count > 0 else {
                    if count < 0 {
                        logger.warning("consume failed", metadata: ["renkei.kafka.code": "\(rd_kafka_last_error())"])
                    }
                    noteProgress(ends: [], generation: generation)
                    return
                }
                var ends: [(KafkaTopicPartition, Int64)] = []
                let good = separateErrors(
                    UnsafeMutableBufferPointer(rebasing: buffer[0..<count]), failure: &failure, ends: &ends)
                if good > 0 {
                    channel.push(
                        MessageBatchStorage(taking: UnsafeMutableBufferPointer(rebasing: buffer[0..<good]), of: client))
                    buffer = Buffer.allocate(capacity: capacity)
                }
                noteProgress(ends: ends, generation: generation)
            }
            if failure != nil { break }
        }

        rebalance.isClosing.store(true, ordering: .releasing)
        let pending = channel.uncommitted()
        if !pending.isEmpty {
            do {
                try KafkaConsumer.commitSync(client: client, pending)
                channel.recordCommitted(pending)
            } catch {
                logger.warning("commit on shutdown failed", metadata: ["renkei.kafka.error": "\(error)"])
            }
        }
        // Leaves the group now (LeaveGroup), serving the final revocation on this thread.
        let code = rd_kafka_consumer_close(client.pointer)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("consumer close", metadata: ["renkei.kafka.code": "\(KafkaError.Code(code).name)"])
        }
        rd_kafka_queue_destroy(queue)
        channel.finish(failure: failure)
    }

    /// For readers that end by position (``KafkaConfiguration/ConsumerOptions/reportsPartitionEnd``): notes,
    /// after the batch before them was pushed, the partition ends librdkafka reported and each assigned
    /// partition's position, which moves past transaction markers that are never handed out.
    private func noteProgress(ends: [(KafkaTopicPartition, Int64)], generation: UInt64) {
        guard options.reportsPartitionEnd else { return }
        for (partition, offset) in ends { channel.noteReached(partition, offset, generation: generation) }
        let assigned = channel.assigned
        guard !assigned.isEmpty else { return }
        let list = TopicPartitionList.make(assigned.map { KafkaPartitionOffset($0, offset: .offset(-1001)) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        guard rd_kafka_position(client.pointer, list) == RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        for entry in TopicPartitionList.entries(list) where entry.offset.rawValue >= 0 {
            channel.noteReached(entry.topicPartition, entry.offset.rawValue, generation: generation)
        }
    }

    /// Moves error messages out of the way (logging or recording them) and returns how many good messages now
    /// lead the buffer, in their original order.
    private func separateErrors(
        _ messages: UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>, failure: inout KafkaError?,
        ends: inout [(KafkaTopicPartition, Int64)]
    ) -> Int {
        var good = 0
        for index in 0..<messages.count {
            let message = messages[index]!
            if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                messages[good] = message
                good += 1
                continue
            }
            let code = KafkaError.Code(message.pointee.err)
            let text = rd_kafka_message_errstr(message).map { String(cString: $0) } ?? code.description
            if code == .fatal, let fatal = client.fatalError() {
                failure = fatal
            } else if code == KafkaError.Code(RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                if let topic = message.pointee.rkt.flatMap({ rd_kafka_topic_name($0) }) {
                    ends.append(
                        (
                            KafkaTopicPartition(topic: String(cString: topic), partition: message.pointee.partition),
                            message.pointee.offset
                        ))
                }
            } else {
                logger.warning(
                    "consumer error", metadata: ["renkei.kafka.code": "\(code.name)", "renkei.kafka.reason": "\(text)"])
            }
            rd_kafka_message_destroy(message)
        }
        return good
    }
}
