import Foundation

/// Timing and memory helpers.
enum Measure {
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func time<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
        let start = ContinuousClock.now
        let value = try await body()
        return (value, seconds(ContinuousClock.now - start))
    }

    /// The value at quantile `q` of `samples` (nearest rank).
    static func quantile(_ samples: [Double], _ q: Double) -> Double {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((Double(sorted.count) * q).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    static func median(_ samples: [Double]) -> Double { quantile(samples, 0.5) }

    /// Latencies in milliseconds as `n p50 p90 p99 max`.
    static func latencies(_ seconds: [Double]) -> String {
        let ms = seconds.map { $0 * 1000 }
        return String(
            format: "n=%d  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms", ms.count, quantile(ms, 0.5),
            quantile(ms, 0.9), quantile(ms, 0.99), ms.max() ?? .nan)
    }

    /// VmRSS and VmHWM of this process, in MiB, from /proc/self/status.
    static func memory() -> (rss: Double, peak: Double) {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Double {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
                let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
            else { return 0 }
            return kilobytes / 1024
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    static func memoryLine(_ phase: String) -> String {
        let (rss, peak) = memory()
        return "memory   after \(phase): " + String(format: "VmRSS %.0f MiB, VmHWM %.0f MiB", rss, peak)
    }

    /// Bytes of the index file and its WAL.
    static func fileBytes(directory: String) -> Int {
        ["history.sqlite", "history.sqlite-wal", "history.sqlite-shm"].reduce(0) { total, name in
            let path = (directory as NSString).appendingPathComponent(name)
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            return total + size
        }
    }
}

extension Measure {
    static func timeSync<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = ContinuousClock.now
        let value = try body()
        return (value, seconds(ContinuousClock.now - start))
    }
}

/// Prints a line and flushes it: progress shows as it happens, also when the output goes to a file.
func print(_ line: String) {
    Swift.print(line)
    fflush(nil)
}
