import CRdKafka
import Synchronization

/// The messages of one open transaction, handed to the body of ``KafkaProducer/transaction(_:)``.
public final class KafkaTransaction: Sendable {
    private let producer: KafkaProducer
    private let trackers = Mutex<[DeliveryTracker]>([])

    init(producer: KafkaProducer) {
        self.producer = producer
    }

    /// Enqueues messages (to any topics) as part of the transaction. Returns once they are enqueued, suspending
    /// only for back-pressure; their delivery is awaited before commit, and a failed delivery aborts the
    /// transaction.
    public func send(_ messages: [KafkaOutgoingMessage]) async throws(KafkaError) {
        let tracker = try await producer.enqueue(messages)
        trackers.withLock { $0.append(tracker) }
    }

    /// Sends messages as part of the transaction and waits until the broker acknowledged them (or failed them),
    /// for work that needs the offsets before the transaction ends, such as a manifest pointing at its records.
    /// A failed message still aborts the whole transaction at commit.
    public func sendAndWait(_ messages: [KafkaOutgoingMessage]) async throws(KafkaError) -> KafkaDeliveryReport {
        let tracker = try await producer.enqueue(messages)
        trackers.withLock { $0.append(tracker) }
        await tracker.waitForAll()
        return KafkaDeliveryReport(tracker: tracker)
    }

    /// Waits for every message's outcome; returns the combined report of everything sent.
    func waitForDeliveries() async -> [KafkaDeliveryReport] {
        let all = trackers.withLock { $0 }
        var reports: [KafkaDeliveryReport] = []
        for tracker in all {
            await tracker.waitForAll()
            reports.append(KafkaDeliveryReport(tracker: tracker))
        }
        return reports
    }
}

extension KafkaProducer {
    /// Runs `body` inside a Kafka transaction and commits it: every message sent through the
    /// ``KafkaTransaction`` becomes visible to `read_committed` consumers together, or none does.
    ///
    /// Returns only after the broker committed. If `body` throws, the transaction is aborted and the error
    /// rethrown. If a message is not delivered or the commit fails in a way that requires it, the transaction is
    /// aborted and a ``KafkaError`` with ``KafkaError/requiresTransactionAbort`` is thrown; a fenced producer
    /// throws an error with ``KafkaError/isFatal`` and must be recreated. Transactions on one producer run one
    /// at a time.
    ///
    /// Requires ``KafkaConfiguration/ProducerOptions/transactionalID``.
    public func transaction<Result: Sendable>(
        _ body: (KafkaTransaction) async throws -> Result
    ) async throws -> Result {
        guard isTransactional else {
            throw KafkaError.configuration(
                key: "transactional.id", reason: "transactions need producer.transactionalID to be set")
        }
        return try await transactionGate.withGate {
            if let error = rd_kafka_begin_transaction(client.pointer) {
                throw KafkaError(consuming: error, context: "begin transaction")
            }
            let transaction = KafkaTransaction(producer: self)
            let result: Result
            do {
                result = try await body(transaction)
                let reports = await transaction.waitForDeliveries()
                let failed = reports.reduce(0) { $0 + $1.failureCount }
                if failed > 0 {
                    let first = reports.lazy.flatMap { $0.failures }.first!
                    throw KafkaError(
                        code: first.error.code,
                        message: "transaction aborted: \(failed) messages not delivered (\(first.error.message))",
                        isRetriable: first.error.isRetriable, requiresTransactionAbort: true)
                }
            } catch {
                try await abortTransaction()
                throw error
            }
            try await commitTransaction()
            return result
        }
    }

    /// Sends `messages` (to any topics) in one transaction and returns their report after the commit.
    public func sendTransactionally(_ messages: [KafkaOutgoingMessage]) async throws -> KafkaDeliveryReport {
        try await transaction { transaction in
            let tracker = try await enqueue(messages)
            await tracker.waitForAll()
            let report = KafkaDeliveryReport(tracker: tracker)
            try report.throwIfAnyFailed()
            _ = transaction
            return report
        }
    }

    func initTransactions() async throws(KafkaError) {
        let client = self.client
        let timeout = configuration.operationTimeout
        try await runBlocking { () throws(KafkaError) in
            if let error = rd_kafka_init_transactions(client.pointer, timeout.milliseconds) {
                throw KafkaError(consuming: error, context: "init transactions")
            }
        }
    }

    private func commitTransaction() async throws(KafkaError) {
        let client = self.client
        let timeout = configuration.operationTimeout
        let deadline = ContinuousClock.now + timeout
        while true {
            let error: KafkaError? = await { () async -> KafkaError? in
                do throws(KafkaError) {
                    try await runBlocking { () throws(KafkaError) in
                        if let error = rd_kafka_commit_transaction(client.pointer, timeout.milliseconds) {
                            throw KafkaError(consuming: error, context: "commit transaction")
                        }
                    }
                    return nil
                } catch {
                    return error
                }
            }()
            guard let error else { return }
            if error.isFatal { throw error }
            if error.requiresTransactionAbort {
                try await abortTransaction()
                throw KafkaError(
                    code: error.code, message: "transaction aborted: \(error.message)", isRetriable: error.isRetriable,
                    requiresTransactionAbort: true)
            }
            if error.isRetriable && ContinuousClock.now < deadline {
                logger.warning("retrying transaction commit", metadata: ["renkei.kafka.error": "\(error)"])
                continue
            }
            throw error
        }
    }

    private func abortTransaction() async throws(KafkaError) {
        let client = self.client
        let timeout = configuration.operationTimeout
        try await runBlocking { () throws(KafkaError) in
            if let error = rd_kafka_abort_transaction(client.pointer, timeout.milliseconds) {
                throw KafkaError(consuming: error, context: "abort transaction")
            }
        }
    }
}
