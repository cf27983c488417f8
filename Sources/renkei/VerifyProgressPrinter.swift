import Foundation
import RenkeiBus
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prints how far `history verify` got on standard error: a line every 2 seconds or every 10%, whichever comes
/// first, never one per page read.
final class VerifyProgressPrinter: Sendable {
    private struct State {
        var lastLine = ContinuousClock.now
        var nextTenth = 1
    }

    private let interval: Duration
    private let state = Mutex(State())

    init(interval: Duration = .seconds(2)) { self.interval = interval }

    /// A printer's `update` when progress was `asked` for or standard error is a terminal (a person watches it);
    /// else `nil`, so scripts and logs get the result alone.
    static func callback(asked: Bool) -> (@Sendable (HistoryVerification.Progress) -> Void)? {
        guard asked || isatty(FileHandle.standardError.fileDescriptor) != 0 else { return nil }
        let printer = VerifyProgressPrinter()
        return { printer.update($0) }
    }

    func update(_ progress: HistoryVerification.Progress) {
        let span = max(progress.end - progress.start, 1)
        let tenths = Int((progress.offset - progress.start) * 10 / span)
        let now = ContinuousClock.now
        let due = state.withLock { state in
            guard tenths >= state.nextTenth || now - state.lastLine >= interval else { return false }
            state.lastLine = now
            state.nextTenth = tenths + 1
            return true
        }
        guard due, progress.offset < progress.end else { return }
        let percent = (progress.offset - progress.start) * 100 / span
        printError(
            "history verify: \(percent)% (\(progress.entries) entries read, offset \(progress.offset) of \(progress.end))"
        )
    }
}
