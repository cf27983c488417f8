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
    private let state = Mutex<(jobs: [Job], inFlight: Set<DeadLetterReference>)>(([], []))

    /// Starts replaying `references` (each for real; a letter already replayed is refused, not sent twice) and
    /// returns the job's id at once. A letter that another job of this instance is replaying now is left out with a
    /// row saying so (a double submit does not race the history's "replayed before" check).
    func start(_ letters: [DeadLetter], bus: Bus, operatorID: String, logger: Logger) -> String {
        let id = String(ConsoleSession.randomToken().prefix(16))
        let claimed = state.withLock { state -> [DeadLetter] in
            let free = letters.filter { !state.inFlight.contains($0.reference) }
            let busy = letters.filter { state.inFlight.contains($0.reference) }
            state.inFlight.formUnion(free.map(\.reference))
            var job = Job(id: id, operatorID: operatorID, total: letters.count)
            job.rows = busy.map {
                ReplayRow(
                    reference: $0.reference.description,
                    cannotReplay: "別の再送が実行中です / another replay of this letter is running now")
            }
            state.jobs.append(job)
            // The oldest finished jobs go first; running ones stay until they end.
            while state.jobs.count > Self.kept, let index = state.jobs.firstIndex(where: \.finished) {
                state.jobs.remove(at: index)
            }
            return free
        }
        Task {
            for letter in claimed {
                let reference = letter.reference
                let row: ReplayRow
                do {
                    let outcome = try await bus.replay(letter, dryRun: false, operatorID: operatorID)
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
                state.withLock { state in
                    state.inFlight.remove(reference)
                    if let index = state.jobs.firstIndex(where: { $0.id == id }) { state.jobs[index].rows.append(row) }
                }
            }
            state.withLock { state in
                if let index = state.jobs.firstIndex(where: { $0.id == id }) { state.jobs[index].finished = true }
            }
            logger.notice(
                "console replay finished",
                metadata: ["renkei.client": "\(operatorID)", "renkei.letters": "\(claimed.count)"])
        }
        return id
    }

    func job(_ id: String) -> Job? {
        state.withLock { state in state.jobs.first { $0.id == id } }
    }
}
