import Foundation
import Logging
import RenkeiBus
import RenkeiKafka

/// Opens the history index under the data directory and brings it up to the history topic's end, reporting
/// progress on standard error when that takes more than a moment (a first run reads the whole topic).
func syncedHistoryIndexer(
    brokers: BrokerOptions, dataDirectory: DataDirectoryOptions, topic: String = BusTopics.history
) async throws -> HistoryIndexer {
    let logger = commandLogger()
    let configuration = try brokers.configuration()
    let admin = try KafkaAdmin.make(configuration: configuration, logger: logger)
    let index = try HistoryIndex.open(
        .directory(dataDirectory.path), topic: topic, cluster: try await admin.clusterID(), logger: logger)
    let indexer = try HistoryIndexer(index: index, configuration: configuration, admin: admin, logger: logger)
    let started = ContinuousClock.now
    let reported = LockedClock()
    try await indexer.sync { progress in
        guard ContinuousClock.now - started > .seconds(1), reported.due(every: .seconds(2)) else { return }
        let percent = progress.total > 0 ? Int(progress.done * 100 / progress.total) : 100
        printError(
            "indexing the history: \(progress.done) of \(progress.total) offsets (\(percent) %), "
                + "\(progress.entries) entries")
    }
    return indexer
}

/// Says when a repeated report is due, from any thread.
final class LockedClock: @unchecked Sendable {
    private let lock = NSLock()
    private var last = ContinuousClock.now

    func due(every interval: Duration) -> Bool {
        lock.withLock {
            guard ContinuousClock.now - last >= interval else { return false }
            last = ContinuousClock.now
            return true
        }
    }
}
