import Foundation
import Yams

/// Stage 1, read: the contract files of a directory, each parsed into a YAML document with positions.
///
/// Layout of a contract directory:
/// `systems.yaml`, `codes/*.yaml`, `layouts/*.yaml`, `linkages/*.yaml`.
struct ContractSources {
    /// One parsed YAML file.
    struct Document {
        var file: String
        var root: Node
    }

    var systems: Document?
    var codeTables: [Document] = []
    var layouts: [Document] = []
    var linkages: [Document] = []

    static let systemsFile = "systems.yaml"
    static let codeTablesFolder = "codes"
    static let layoutsFolder = "layouts"
    static let linkagesFolder = "linkages"

    /// Reads every contract file under `directory`; problems go to `diagnostics` and the file is skipped.
    static func read(directory: String, into diagnostics: inout Diagnostics) -> ContractSources {
        var sources = ContractSources()
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            diagnostics.error(
                .missingFile, at: SourceLocation(file: directory, line: 1, column: 1),
                "The contract folder does not exist or is not a folder.")
            return sources
        }
        let systemsPath = path(directory, systemsFile)
        if fileManager.fileExists(atPath: systemsPath) {
            sources.systems = parse(file: systemsPath, into: &diagnostics)
        } else {
            diagnostics.error(
                .missingFile, at: SourceLocation(file: systemsPath, line: 1, column: 1),
                "There is no \(systemsFile): every contract set registers its systems there.")
        }
        sources.codeTables = parseFolder(path(directory, codeTablesFolder), required: false, into: &diagnostics)
        sources.layouts = parseFolder(path(directory, layoutsFolder), required: true, into: &diagnostics)
        sources.linkages = parseFolder(path(directory, linkagesFolder), required: true, into: &diagnostics)
        return sources
    }

    private static func path(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    private static func parseFolder(
        _ folder: String, required: Bool, into diagnostics: inout Diagnostics
    )
        -> [Document]
    {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            if required {
                diagnostics.error(
                    .missingFile, at: SourceLocation(file: folder, line: 1, column: 1),
                    "The folder \(folder) is missing; it holds one YAML file per definition.")
            }
            return []
        }
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().compactMap {
            parse(file: path(folder, $0), into: &diagnostics)
        }
    }

    private static func parse(file: String, into diagnostics: inout Diagnostics) -> Document? {
        let start = SourceLocation(file: file, line: 1, column: 1)
        guard let data = FileManager.default.contents(atPath: file) else {
            diagnostics.error(.unreadableFile, at: start, "The file could not be read.")
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            diagnostics.error(.unreadableFile, at: start, "The file is not UTF-8 text; save it as UTF-8.")
            return nil
        }
        // YAML reads NEL, LS and PS as line breaks, editors mostly do not: every later line number would be off.
        if let (separator, location) = unusualLineBreak(in: text, file: file) {
            diagnostics.error(
                .malformedYAML, at: location,
                "The file holds \(separator), which YAML reads as a line break and most editors do not show; "
                    + "remove it (inside a double-quoted string, write it as an escape).")
            return nil
        }
        do {
            guard let root = try Yams.compose(yaml: text) else {
                diagnostics.error(.missingField, at: start, "The file is empty.")
                return nil
            }
            return Document(file: file, root: root)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            diagnostics.error(
                .duplicateID, at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                "A mapping repeats the key \(duplicates.map { "`\($0)`" }.joined(separator: ", ")); each key may "
                    + "appear once. The file was not read further.")
            return nil
        } catch let error as YamlError {
            let (location, problem) = describe(error, file: file)
            diagnostics.error(.malformedYAML, at: location, "The file is not valid YAML: \(problem).")
            return nil
        } catch {
            diagnostics.error(.malformedYAML, at: start, "The file is not valid YAML.")
            return nil
        }
    }

    /// The first NEL, LS or PS in `text` and where it is, lines counted as editors and YAML both count them (LF, CRLF
    /// and a lone CR each end a line).
    private static func unusualLineBreak(in text: String, file: String) -> (String, SourceLocation)? {
        var line = 1
        var column = 1
        var afterCR = false
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x85, 0x2028, 0x2029:
                let name =
                    scalar.value == 0x85 ? "U+0085 (NEL)" : scalar.value == 0x2028 ? "U+2028 (LS)" : "U+2029 (PS)"
                return (name, SourceLocation(file: file, line: line, column: column))
            case 0x0A:
                if !afterCR { line += 1 }
                column = 1
            case 0x0D:
                line += 1
                column = 1
            default:
                column += 1
            }
            afterCR = scalar.value == 0x0D
        }
        return nil
    }

    /// The position and a short description of a YAML error, without echoing the file's content.
    private static func describe(_ error: YamlError, file: String) -> (SourceLocation, String) {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) (\($0.text) at line \($0.mark.line))" } ?? problem
            return (at(mark), detail)
        case .reader(let problem, _, _, _):
            return (SourceLocation(file: file, line: 1, column: 1), problem)
        default:
            return (SourceLocation(file: file, line: 1, column: 1), "\(error)")
        }
    }
}
