import CRdKafka
import Foundation
public import Logging
import Synchronization

/// A Kafka consumer that hands messages to the application in batches.
///
/// One dedicated thread pulls up to ``KafkaConfiguration/ConsumerOptions/maxBatchSize`` messages per call from
/// librdkafka and passes each batch through a bounded buffer (``KafkaConfiguration/ConsumerOptions/bufferedBatches``),
/// so there is one hop per batch and fetching stops while the application is behind. Offsets are committed
/// manually after processing (``commit(_:)``); on a rebalance the consumer waits (bounded) for batches already
/// handed out, commits what was processed and drops buffered messages of the revoked partitions, so the library
/// itself causes no duplicates. ``shutdown()`` commits and leaves the group at once.
///
/// Use ``subscribe(topics:)`` for a group, or ``assign(_:)`` to read from given offsets without one (a cursor feed).
public final class KafkaConsumer: Sendable {
    let client: KafkaClientHandle
    let channel: BatchChannel
    let rebalance: RebalanceHandler
    let configuration: KafkaConfiguration
    let logger: Logger
    private let started = Atomic<Bool>(false)
    private let control = PollThreadControl()
    /// Held by the poll thread for each fetch-and-push iteration, and by manual (re)assignment.
    private let pollIteration = PollIterationLock()

    private init(
        client: KafkaClientHandle, configuration: KafkaConfiguration, logger: Logger,
        listener: (any KafkaRebalanceListener)?
    ) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.channel = BatchChannel(capacity: configuration.consumer.bufferedBatches)
        self.rebalance = RebalanceHandler(
            channel: channel, logger: logger, drainTimeout: configuration.consumer.revokeDrainTimeout,
            listener: listener)
    }

    /// Creates a consumer. Nothing is fetched until ``subscribe(topics:)`` or ``assign(_:)``. A group member's
    /// `listener` is told of every assignment and revocation.
    public static func make(
        configuration: KafkaConfiguration, logger: Logger, listener: (any KafkaRebalanceListener)? = nil
    ) throws(KafkaError) -> KafkaConsumer {
        let client = try KafkaClientHandle.make(role: .consumer, configuration: configuration, logger: logger) {
            conf in
            rd_kafka_conf_set_rebalance_cb(conf, kafkaRebalanceCallback)
        }
        rd_kafka_poll_set_consumer(client.pointer)
        let consumer = KafkaConsumer(client: client, configuration: configuration, logger: logger, listener: listener)
        // Weak: the client must not keep its consumer's channel alive, since buffered batches keep the client alive
        // (client → handler → channel → batch → client would never be freed). The poll thread holds the handler
        // while it serves callbacks.
        let handler = consumer.rebalance
        client.context.rebalanceHandler = { [weak handler] rk, code, partitions in
            if let handler {
                handler.handle(rk, code, partitions)
            } else {
                rd_kafka_assign(rk, code == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? partitions : nil)
            }
        }
        let channel = consumer.channel
        client.context.offsetResetHandler = { [weak channel] loss in channel?.noteLoss(loss) }
        return consumer
    }

    deinit {
        control.requestStop()
    }

    /// Joins the configured group and consumes `topics`; partitions arrive through rebalances.
    public func subscribe(topics: [String]) throws(KafkaError) {
        guard configuration.consumer.groupID != nil else {
            throw .configuration(
                key: "group.id", reason: "subscribe needs consumer.groupID; use assign(_:) without a group")
        }
        guard !topics.isEmpty else { throw .configuration(key: "topics", reason: "subscribe needs at least one topic") }
        let list = TopicPartitionList.make(
            topics.map { KafkaPartitionOffset(topic: $0, partition: -1, offset: .committed) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let code = rd_kafka_subscribe(client.pointer, list)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: KafkaError.Code(code), context: "subscribe to \(topics)")
        }
        startPolling()
    }

    /// Reads exactly these partitions from these offsets, without group membership (replaces any earlier
    /// assignment). Offsets may be concrete or ``KafkaOffset/beginning`` / ``KafkaOffset/end``.
    public func assign(_ positions: [KafkaPartitionOffset]) throws(KafkaError) {
        let partitions = Set(positions.map(\.topicPartition))
        // Between two iterations of the poll thread, so no batch fetched for the old assignment is pushed after
        // the channel moved to the new one (librdkafka drops outdated fetches once rd_kafka_assign returned).
        let code = pollIteration.run {
            let code = TopicPartitionList.with(positions) { rd_kafka_assign(client.pointer, $0) }
            if code == RD_KAFKA_RESP_ERR_NO_ERROR { channel.reassign(to: partitions) }
            return code
        }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: KafkaError.Code(code), context: "assign \(positions)")
        }
        startPolling()
    }

    /// Moves assigned partitions to new offsets; buffered messages of those partitions are dropped.
    public func seek(_ positions: [KafkaPartitionOffset]) async throws(KafkaError) {
        let client = self.client
        let timeout = configuration.operationTimeout
        channel.purge(Set(positions.map(\.topicPartition)))
        try await runBlocking { () throws(KafkaError) in
            try TopicPartitionList.with(positions) { list throws(KafkaError) in
                if let error = rd_kafka_seek_partitions(client.pointer, list, timeout.milliseconds) {
                    throw KafkaError(consuming: error, context: "seek")
                }
                if let error = TopicPartitionList.firstError(list, context: "seek") { throw error }
            }
        }
        channel.purge(Set(positions.map(\.topicPartition)))
    }

    /// Gives up every assigned partition (without a group: stops fetching them); buffered messages are dropped.
    public func unassign() throws(KafkaError) {
        let code = pollIteration.run {
            let code = rd_kafka_assign(client.pointer, nil)
            if code == RD_KAFKA_RESP_ERR_NO_ERROR { channel.reassign(to: []) }
            return code
        }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: KafkaError.Code(code), context: "unassign")
        }
    }

    /// The partitions this consumer currently owns.
    public var assignment: Set<KafkaTopicPartition> { channel.assigned }

    /// How far the consumer got in `partition` since it was assigned (requires
    /// ``KafkaConfiguration/ConsumerOptions/reportsPartitionEnd``): every record below this offset has been
    /// buffered for ``nextBatch()`` or handed out already, and every other offset below it is one that is never
    /// handed out (a transaction marker, an aborted or a compacted record). `nil` before the first note.
    ///
    /// This is how a bounded read ends on a real broker, where the last offsets of a partition are often such
    /// offsets and waiting for "the record at the end" would wait forever.
    public func reachedOffset(of partition: KafkaTopicPartition) -> Int64? {
        channel.reached(partition)
    }

    /// The offsets this consumer skipped since the last call because the broker no longer retained them (its
    /// position was older than the partition's oldest record, and `auto.offset.reset` moved it): records that were
    /// never handed out. A receiver that falls behind retention must say so, not carry on in silence.
    public func takeRetentionLosses() -> [KafkaRetentionLoss] {
        channel.takeLosses()
    }

    /// Every batch already buffered and ``reachedOffset(of:)`` of `partitions`, taken together: every record below
    /// a returned offset is in these batches or was handed out before. A reader that ends partitions by position
    /// uses this, so an assignment change between the two can never leave it a note without its records.
    public func drainBuffered(
        notingReached partitions: [KafkaTopicPartition]
    ) -> (batches: [KafkaMessageBatch], reached: [KafkaTopicPartition: Int64]) {
        let (batches, reached) = channel.drain(noting: partitions)
        return (batches.map { KafkaMessageBatch(storage: $0) }, reached)
    }

    /// The next batch, or `nil` when none arrives within `timeout`; throws after ``shutdown()`` (so a loop can
    /// tell the end from a quiet moment). A batch that arrives later stays buffered for the next call.
    public func nextBatch(within timeout: Duration) async throws -> KafkaMessageBatch? {
        guard let storage = try await channel.next(waitingAtMost: timeout) else { return nil }
        return KafkaMessageBatch(storage: storage)
    }

    /// The next batch; `nil` after ``shutdown()``. Throws if the consumer hit a fatal error.
    public func nextBatch() async throws -> KafkaMessageBatch? {
        guard let storage = try await channel.next() else { return nil }
        return KafkaMessageBatch(storage: storage)
    }

    /// The batches as an async sequence (one iterator at a time).
    public var batches: Batches { Batches(consumer: self) }

    /// Records that `batch` was processed; the offsets are committed by the next ``commit()``, on revocation and
    /// on shutdown.
    public func markProcessed(_ batch: KafkaMessageBatch) {
        channel.markProcessed(batch.nextOffsets)
    }

    /// Marks `batch` processed and commits synchronously.
    public func commit(_ batch: KafkaMessageBatch) async throws(KafkaError) {
        markProcessed(batch)
        try await commit()
    }

    /// Commits every processed, not yet committed offset of owned partitions and waits for the broker.
    /// A failure during a rebalance is retriable; the offsets are committed again on revocation.
    public func commit() async throws(KafkaError) {
        let offsets = channel.uncommitted()
        guard !offsets.isEmpty else { return }
        let client = self.client
        try await runBlocking { () throws(KafkaError) in try Self.commitSync(client: client, offsets) }
        channel.recordCommitted(offsets)
    }

    /// The group's committed offsets for `partitions`.
    public func committedOffsets(
        for partitions: [KafkaTopicPartition]
    ) async throws(KafkaError) -> [KafkaPartitionOffset] {
        let client = self.client
        let timeout = configuration.operationTimeout
        return try await runBlocking { () throws(KafkaError) in
            try TopicPartitionList.with(partitions.map { KafkaPartitionOffset($0, offset: .committed) }) {
                list throws(KafkaError) in
                let code = rd_kafka_committed(client.pointer, list, timeout.milliseconds)
                guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError(code: KafkaError.Code(code), context: "committed offsets")
                }
                return TopicPartitionList.entries(list)
            }
        }
    }

    static func commitSync(client: KafkaClientHandle, _ offsets: [KafkaPartitionOffset]) throws(KafkaError) {
        try TopicPartitionList.with(offsets) { list throws(KafkaError) in
            let code = rd_kafka_commit(client.pointer, list, 0)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR || code == RD_KAFKA_RESP_ERR__NO_OFFSET else {
                throw KafkaError(code: KafkaError.Code(code), context: "commit \(offsets.count) offsets")
            }
            if let error = TopicPartitionList.firstError(list, context: "commit") { throw error }
        }
    }

    /// Commits processed offsets, leaves the group (so its partitions move to other members at once), stops the
    /// poll thread and ends ``batches``. Calling it again waits for the first call.
    public func shutdown() async {
        control.requestStop()
        if !started.exchange(true, ordering: .acquiringAndReleasing) {
            // Never polled: close here, off the cooperative pool.
            let client = self.client
            let rebalance = self.rebalance
            let channel = self.channel
            _ = try? await runBlocking { () throws(KafkaError) in
                rebalance.isClosing.store(true, ordering: .releasing)
                rd_kafka_consumer_close(client.pointer)
                channel.finish()
            }
            control.markExited()
            return
        }
        await control.waitForExit()
    }

    private func startPolling() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let loop = ConsumerPollLoop(
            client: client, channel: channel, rebalance: rebalance, options: configuration.consumer,
            iteration: pollIteration, logger: logger)
        let control = self.control
        // The thread holds the loop and the control, never the consumer, so dropping the consumer stops it.
        let thread = Thread {
            loop.run(control: control)
            control.markExited()
        }
        thread.name = "renkei.kafka.consumer"
        thread.start()
    }

    /// The consumer's batches as an `AsyncSequence`.
    public struct Batches: AsyncSequence, Sendable {
        /// Each element is one batch.
        public typealias Element = KafkaMessageBatch
        let consumer: KafkaConsumer

        /// Makes the iterator.
        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(consumer: consumer) }

        /// Iterates batches until shutdown.
        public struct AsyncIterator: AsyncIteratorProtocol {
            let consumer: KafkaConsumer
            /// The next batch, or `nil` after shutdown.
            public mutating func next() async throws -> KafkaMessageBatch? {
                try await consumer.nextBatch()
            }
        }
    }
}
