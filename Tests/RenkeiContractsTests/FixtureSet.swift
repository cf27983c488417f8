import Foundation
import RenkeiContracts

/// Broken contract sets for the diagnostic tests: `Fixtures/base` is a small valid set; every other folder under
/// `Fixtures/` holds the files that differ from it and `expected.txt`, one `code file:line` per expected error.
enum FixtureSet {
    static let root = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

    static var caseNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { $0 != "base" }.sorted()
    }

    /// A temporary copy of the base set with the case's files laid over it.
    static func materialize(_ name: String) throws -> URL {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("renkei-fixture-\(UUID())")
        try FileManager.default.copyItem(at: root.appendingPathComponent("base"), to: target)
        let overlay = root.appendingPathComponent(name)
        let enumerator = FileManager.default.enumerator(at: overlay, includingPropertiesForKeys: [.isRegularFileKey])
        while let file = enumerator?.nextObject() as? URL {
            guard (try file.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true,
                file.lastPathComponent != "expected.txt"
            else { continue }
            let relative = String(file.standardizedFileURL.path.dropFirst(overlay.standardizedFileURL.path.count + 1))
            let destination = target.appendingPathComponent(relative)
            try FileManager.default.createDirectory(
                at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: destination)
            try FileManager.default.copyItem(at: file, to: destination)
        }
        return target
    }

    static func expected(_ name: String) throws -> [String] {
        let text = try String(
            contentsOf: root.appendingPathComponent(name).appendingPathComponent("expected.txt"), encoding: .utf8)
        return text.split(separator: "\n").map(String.init).sorted()
    }

    /// `code file:line` of each error, with the file relative to `directory`.
    static func summarize(_ diagnostics: [Diagnostic], relativeTo directory: URL) -> [String] {
        let prefix = directory.path + "/"
        return diagnostics.filter { $0.severity == .error }.map {
            let file =
                $0.location.file.hasPrefix(prefix) ? String($0.location.file.dropFirst(prefix.count)) : $0.location.file
            return "\($0.code.rawValue) \(file):\($0.location.line)"
        }.sorted()
    }
}

/// The repository's own `contracts/` folder.
enum SampleContracts {
    static var directory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("contracts").path
    }
}
