import Foundation
import FuzzSupport
import RenkeiContracts

/// A copy of the sample contracts in a temporary folder, made once per process; each input replaces one of its
/// files for one load and the original is put back afterwards.
private let sample: (folder: String, files: [String], originals: [[UInt8]]) = {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { root.deleteLastPathComponent() }
    let source = root.appendingPathComponent("contracts").path
    let folder = NSTemporaryDirectory() + "renkei-fuzz-contracts-\(getpid())"
    let manager = FileManager.default
    try? manager.removeItem(atPath: folder)
    do {
        try manager.copyItem(atPath: source, toPath: folder)
    } catch {
        fatalError("cannot copy the sample contracts from \(source): \(error)")
    }
    let files = (manager.subpaths(atPath: folder) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    // Bytes, not Data: the leak checker cannot see through Data's packed storage and would report it as leaked.
    let originals = files.map { Array(manager.contents(atPath: folder + "/" + $0) ?? Data()) }
    require(ContractLoader.check(directory: folder).contracts != nil, "the sample contracts do not load")
    return (folder, files, originals)
}()

/// Byte 0 picks the file the rest of the input replaces.
@_cdecl("FuzzContracts_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in data.map { fuzz($0, size) } ?? 0 }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let index = Int(input.takeByte()) % sample.files.count
    let text = input.takeRest()
    let path = sample.folder + "/" + sample.files[index]
    FileManager.default.createFile(atPath: path, contents: Data(text))
    defer { FileManager.default.createFile(atPath: path, contents: Data(sample.originals[index])) }

    let report = ContractLoader.check(directory: sample.folder)
    require(
        (report.contracts == nil) == !report.errors.isEmpty,
        "contracts \(report.contracts == nil ? "missing" : "loaded") with \(report.errors.count) errors")
    // Lines as editors and YAML count them: LF, CRLF and a lone CR each end one.
    let lines = text.indices.reduce(1) { count, index in
        let byte = text[index]
        let next = index + 1 < text.count ? text[index + 1] : 0
        return count + (byte == 0x0A || (byte == 0x0D && next != 0x0A) ? 1 : 0)
    }
    for diagnostic in report.diagnostics {
        let location = diagnostic.location
        require(location.file.hasPrefix(sample.folder), "diagnostic names a file outside the folder: \(diagnostic)")
        require(location.line >= 1 && location.column >= 1, "diagnostic at no position: \(diagnostic)")
        if location.file == path {
            require(location.line <= lines + 1, "diagnostic past the end of its \(lines)-line file: \(diagnostic)")
        }
        require(
            diagnostic.description.hasPrefix("\(location.file):\(location.line):\(location.column): "),
            "message does not start with its position: \(diagnostic)")
        require(!diagnostic.message.isEmpty, "empty message: \(diagnostic)")
    }
    return 0
}
