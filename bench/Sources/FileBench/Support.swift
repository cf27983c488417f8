import Foundation
import RenkeiCodec
import RenkeiContracts
import RenkeiSynthetic

/// Small helpers shared by the file benchmark's phases: clocks, memory, generated input, contract copies.
enum Support {
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let duration = ContinuousClock.now - start
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// VmRSS and VmHWM of this process, in MiB.
    static func memory() -> (rss: Int, hwm: Int) {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return -1 }
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1) / 1024
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// Resets VmHWM to the current RSS (Linux ≥ 4.0), so each phase's peak is its own.
    static func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    static func memoryText() -> String {
        let memory = memory()
        return "VmRSS \(memory.rss) MiB, VmHWM \(memory.hwm) MiB"
    }

    /// `count` generated residents (seed 1) as CSV with a header row, written to `path` a few MiB at a time, so the
    /// input never sits in this process's memory.
    static func writeResidents(layout: Layout, count: Int, seed: UInt64 = 1, to path: String) throws -> Int {
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var generator = ResidentGenerator(layout: layout, seed: seed)
        let schema = RecordSchema(layout: layout)
        let writer = ByteWriter(capacity: 5 << 20)
        let encoder = CSVRecordEncoder(layout: layout)
        encoder.encodeHeader(into: writer)
        var batch = RecordBatch(schema: schema)
        var bytes = 0
        for _ in 0..<count {
            batch.append(values: generator.next())
            encoder.encode(batch, record: batch.count - 1, into: writer)
            if batch.count == 4096 { batch = RecordBatch(schema: schema) }
            if writer.count >= 4 << 20 {
                bytes += writer.count
                try handle.write(contentsOf: writer.bytes)
                writer.clear()
            }
        }
        bytes += writer.count
        try handle.write(contentsOf: writer.bytes)
        return bytes
    }

    /// A copy of `source` (a contracts folder) in `target` where `resident-register-daily` has three file receivers
    /// (008 as in the samples, 018 and C001 turned into file receivers) of `mode`, each writing to
    /// `storage(system)`; the repository's contracts are never edited.
    static func contractsCopy(
        of source: String, into target: String, mode: String, storage: (String) -> String
    ) throws {
        let files = FileManager.default
        try? files.removeItem(atPath: target)
        try files.copyItem(atPath: source, toPath: target)
        let linkagePath = target + "/linkages/resident-register-daily.yaml"
        var linkage = try String(contentsOfFile: linkagePath, encoding: .utf8)
        linkage = linkage.replacingOccurrences(of: "    mode: full\n", with: "")
        for delivery in ["delivery: file", "delivery: kafka", "delivery: pull"] {
            linkage = linkage.replacingOccurrences(
                of: "    \(delivery)\n", with: "    delivery: file\n    mode: \(mode)\n")
        }
        try linkage.write(toFile: linkagePath, atomically: true, encoding: .utf8)
        let systemsPath = target + "/systems.yaml"
        var lines = try String(contentsOfFile: systemsPath, encoding: .utf8).components(separatedBy: "\n")
        lines = lines.filter { !$0.contains("storage: file:outbox/008") }
        for system in ["008", "018", "C001"] {
            guard let id = lines.firstIndex(where: { $0.contains("client-id: sys-\(system.lowercased())") })
            else { continue }
            // After the credentials: the system's endpoints (008 has some; the others get a block).
            let secret = id + 1
            if lines.indices.contains(secret + 1),
                lines[secret + 1].trimmingCharacters(in: .whitespaces) == "endpoints:"
            {
                lines.insert("      storage: \(storage(system))", at: secret + 2)
            } else {
                lines.insert(contentsOf: ["    endpoints:", "      storage: \(storage(system))"], at: secret + 1)
            }
        }
        try lines.joined(separator: "\n").write(toFile: systemsPath, atomically: true, encoding: .utf8)
    }
}

/// Prints a line at once (stdout is a pipe under run.sh).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
