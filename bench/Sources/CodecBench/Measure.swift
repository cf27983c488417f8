import CMallocCounter

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One timed figure: the fastest of several runs, and the heap allocations made during it.
struct Measurement {
    var seconds: Double
    var allocations: Int
    var items: Int
    var bytes: Int

    var itemsPerSecond: Double { Double(items) / seconds }
    var megabytesPerSecond: Double { Double(bytes) / seconds / 1e6 }
    var allocationsPerItem: Double { Double(allocations) / Double(items) }
}

/// Keeps results alive so the optimizer cannot drop the measured work.
nonisolated(unsafe) var blackHole = 0

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Runs `body` once to warm up, then `runs` times; reports the fastest run. `body` returns the bytes it processed.
func measure(items: Int, runs: Int, warmUp: Bool = true, _ body: () -> Int) -> Measurement {
    if warmUp { blackHole &+= body() }
    var best = Measurement(seconds: .infinity, allocations: 0, items: items, bytes: 0)
    for _ in 0..<runs {
        let allocationsBefore = renkei_allocation_count()
        let start = now()
        let bytes = body()
        let seconds = now() - start
        let allocations = renkei_allocation_count() - allocationsBefore
        blackHole &+= bytes
        if seconds < best.seconds {
            best = Measurement(seconds: seconds, allocations: allocations, items: items, bytes: bytes)
        }
    }
    return best
}

/// Measures two variants alternately (a, b, a, b, …) so that both see the same noise from other processes; reports
/// the fastest run of each.
func measurePair(
    items: (Int, Int), runs: Int, _ first: () -> Int, _ second: () -> Int
) -> (Measurement, Measurement) {
    blackHole &+= first() &+ second()
    var best = (
        Measurement(seconds: .infinity, allocations: 0, items: items.0, bytes: 0),
        Measurement(seconds: .infinity, allocations: 0, items: items.1, bytes: 0)
    )
    for _ in 0..<runs {
        let a = measure(items: items.0, runs: 1, warmUp: false, first)
        if a.seconds < best.0.seconds { best.0 = a }
        let b = measure(items: items.1, runs: 1, warmUp: false, second)
        if b.seconds < best.1.seconds { best.1 = b }
    }
    return best
}

func format(_ value: Double, decimals: Int = 0) -> String {
    let scale = pow(10.0, Double(decimals))
    let rounded = (value * scale).rounded() / scale
    if decimals == 0 {
        let digits = String(Int(rounded))
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
    var text = String(rounded)
    if let dot = text.firstIndex(of: ".") {
        let have = text.distance(from: dot, to: text.endIndex) - 1
        if have < decimals { text += String(repeating: "0", count: decimals - have) }
    }
    return text
}

func describe(_ m: Measurement) -> String {
    "\(format(m.itemsPerSecond)) rec/s, \(format(m.megabytesPerSecond)) MB/s, \(format(m.allocationsPerItem, decimals: 4)) allocs/rec"
}

/// Prints one summary line: the figure, ours, the baseline if any, and the ratio.
func report(_ name: String, _ ours: Measurement, baseline: (String, Measurement)? = nil) {
    var line = name.padding(toLength: 30, withPad: " ", startingAt: 0) + " renkei: " + describe(ours)
    if let (label, base) = baseline {
        line += " | \(label): " + describe(base)
        line += " | \(format(ours.itemsPerSecond / base.itemsPerSecond, decimals: 1))x"
    }
    print(line)
}
