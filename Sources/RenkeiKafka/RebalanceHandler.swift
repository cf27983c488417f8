import CRdKafka
import Foundation
import Logging
import Synchronization

/// Told on the consumer's poll thread when a group gives it partitions and before it gives them up, for work that
/// belongs to whoever owns a partition (a lease) rather than to the records in it.
public protocol KafkaRebalanceListener: Sendable {
    /// The consumer now owns `partitions`.
    func assigned(_ partitions: Set<KafkaTopicPartition>)
    /// The consumer is about to give `partitions` up (`lost`: another member may own them already). Stop every use
    /// of them before returning: the group hands them to another member only after this returns. Blocks the poll
    /// thread, so bound the wait (well below the consumer's `max.poll.interval.ms`).
    func revoking(_ partitions: Set<KafkaTopicPartition>, lost: Bool)
}

/// Handles rebalance callbacks on the consumer's poll thread.
///
/// On revocation it drops buffered messages of the revoked partitions, waits (up to the drain timeout) until the
/// application marked every handed-out message of them processed, commits those offsets, then gives the
/// partitions up. Supports both eager and cooperative assignment protocols.
final class RebalanceHandler: Sendable {
    let channel: BatchChannel
    let logger: Logger
    let drainTimeout: Duration
    let listener: (any KafkaRebalanceListener)?
    /// Set while shutting down: no waiting for the application, which has stopped reading.
    let isClosing = Atomic<Bool>(false)

    init(
        channel: BatchChannel, logger: Logger, drainTimeout: Duration, listener: (any KafkaRebalanceListener)? = nil
    ) {
        self.channel = channel
        self.logger = logger
        self.drainTimeout = drainTimeout
        self.listener = listener
    }

    func handle(
        _ rk: OpaquePointer, _ code: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    ) {
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        let partitions = Set(TopicPartitionList.entries(list).map(\.topicPartition))
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            logger.info("partitions assigned", metadata: ["renkei.kafka.partitions": "\(partitions.count)"])
            channel.assign(partitions)
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, list) {
                    logger.error(
                        "assign failed",
                        metadata: ["renkei.kafka.error": "\(KafkaError(consuming: error, context: "assign"))"])
                }
            } else {
                rd_kafka_assign(rk, list)
            }
            listener?.assigned(partitions)
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(rk) != 0
            listener?.revoking(partitions, lost: lost)
            revoke(partitions, rk: rk, lost: lost)
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, list) {
                    logger.error(
                        "unassign failed",
                        metadata: ["renkei.kafka.error": "\(KafkaError(consuming: error, context: "unassign"))"])
                }
            } else {
                rd_kafka_assign(rk, nil)
            }
        default:
            logger.error("rebalance error", metadata: ["renkei.kafka.code": "\(KafkaError.Code(code).name)"])
            listener?.revoking(channel.assigned, lost: true)
            rd_kafka_assign(rk, nil)
            channel.purge(channel.assigned)
            channel.revoke(channel.assigned)
        }
    }

    private func revoke(_ partitions: Set<KafkaTopicPartition>, rk: OpaquePointer, lost: Bool) {
        channel.purge(partitions)
        if lost {
            // Another member may already own them: committing now could move its position.
            logger.warning("partitions lost", metadata: ["renkei.kafka.partitions": "\(partitions.count)"])
            channel.revoke(partitions)
            return
        }
        if !isClosing.load(ordering: .acquiring) {
            let deadline = ContinuousClock.now + drainTimeout
            while !channel.isDrained(partitions) && ContinuousClock.now < deadline
                && !isClosing.load(ordering: .acquiring)
            {
                usleep(5_000)
            }
            if !channel.isDrained(partitions) {
                logger.warning(
                    "revoking partitions with unprocessed messages; they will be delivered again",
                    metadata: ["renkei.kafka.partitions": "\(partitions.count)"])
            }
        }
        let offsets = channel.uncommitted(in: partitions)
        if !offsets.isEmpty {
            let code = TopicPartitionList.with(offsets) { rd_kafka_commit(rk, $0, 0) }
            if code == RD_KAFKA_RESP_ERR_NO_ERROR {
                channel.recordCommitted(offsets)
            } else {
                logger.warning(
                    "commit on revoke failed", metadata: ["renkei.kafka.code": "\(KafkaError.Code(code).name)"])
            }
        }
        logger.info("partitions revoked", metadata: ["renkei.kafka.partitions": "\(partitions.count)"])
        channel.revoke(partitions)
    }
}

/// The C rebalance callback; forwards to the handler stored in the client context.
func kafkaRebalanceCallback(
    _ rk: OpaquePointer?, _ code: rd_kafka_resp_err_t,
    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
    _ opaque: UnsafeMutableRawPointer?
) {
    guard let rk, let partitions, let opaque else { return }
    let context = Unmanaged<KafkaClientContext>.fromOpaque(opaque).takeUnretainedValue()
    if let handler = context.rebalanceHandler {
        handler(rk, code, partitions)
    } else {
        rd_kafka_assign(rk, code == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? partitions : nil)
    }
}
