import Foundation
import Logging
import RenkeiBus
import Synchronization

/// Replays started from the console, run in the background so that a large set shows its progress. Jobs live in
/// this instance's memory (the history keeps every replay itself); the newest ``kept`` are kept for their pages.
final class ConsoleReplayJobs: Sendable {
    struct Job: Sendable {
        let id: String
        let operatorID: String
        let total: Int
        var rows: [ReplayRow] = []
        var finished = false
    }

    static let kept = 50
    private let jobs = Mutex<[(id: String, job: Job)]>([])

    /// Starts replaying `references` (each for real; a letter already replayed is refused, not sent twice) and
    /// returns the job's id at once.
    func start(_ references: [DeadLetterReference], bus: Bus, operatorID: String, logger: Logger) -> String {
        let id = ConsoleSession.randomToken().prefix(16).description
        jobs.withLock { jobs in
            jobs.append((id, Job(id: id, operatorID: operatorID, total: references.count)))
            if jobs.count > Self.kept { jobs.removeFirst(jobs.count - Self.kept) }
        }
        Task {
            for reference in references {
                let row: ReplayRow
                do {
                    let outcome = try await bus.replay(reference, dryRun: false, operatorID: operatorID)
                    row = ReplayRow(reference: reference.description, outcome: outcome)
                } catch let error as ReplayError {
                    row = ReplayRow(reference: reference.description, cannotReplay: error.description)
                } catch {
                    logger.error(
                        "console replay failed",
                        metadata: ["renkei.dead-letter": "\(reference)", "renkei.error": "\(error)"])
                    row = ReplayRow(
                        reference: reference.description,
                        cannotReplay: "ブローカーへの書込みに失敗 / the broker did not take the replay; try again")
                }
                update(id) { $0.rows.append(row) }
            }
            update(id) { $0.finished = true }
            logger.notice(
                "console replay finished",
                metadata: ["renkei.client": "\(operatorID)", "renkei.letters": "\(references.count)"])
        }
        return id
    }

    func job(_ id: String) -> Job? {
        jobs.withLock { jobs in jobs.first { $0.id == id }?.job }
    }

    private func update(_ id: String, _ change: (inout Job) -> Void) {
        jobs.withLock { jobs in
            if let index = jobs.firstIndex(where: { $0.id == id }) { change(&jobs[index].job) }
        }
    }
}
