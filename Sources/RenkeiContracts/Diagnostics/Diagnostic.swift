/// A place in a contract file.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file's path as given to the loader (relative to the working directory when the directory was relative).
    public var file: String
    /// Line number, starting at 1.
    public var line: Int
    /// Column number, starting at 1, counted in Unicode scalars.
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}

/// One problem found in a contract set: where it is, a stable code, and a sentence an operator can act on.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        /// The contract set does not load.
        case error
        /// The contract set loads, but something is probably not what the author meant.
        case warning
    }

    public var location: SourceLocation
    public var severity: Severity
    public var code: DiagnosticCode
    public var message: String

    public init(_ code: DiagnosticCode, at location: SourceLocation, severity: Severity = .error, _ message: String) {
        self.location = location
        self.severity = severity
        self.code = code
        self.message = message
    }

    /// `file:line:column: error[code]: message`, the form compilers use, so editors can jump to it.
    public var description: String { "\(location): \(severity.rawValue)[\(code.rawValue)]: \(message)" }
}

/// The diagnostics found so far; every stage appends and none stops at the first problem.
struct Diagnostics {
    private(set) var all: [Diagnostic] = []

    var hasErrors: Bool { all.contains { $0.severity == .error } }

    mutating func error(_ code: DiagnosticCode, at location: SourceLocation, _ message: String) {
        all.append(Diagnostic(code, at: location, message))
    }

    mutating func warning(_ code: DiagnosticCode, at location: SourceLocation, _ message: String) {
        all.append(Diagnostic(code, at: location, severity: .warning, message))
    }

    /// In file order, so a reader can walk through a file top to bottom.
    var sorted: [Diagnostic] { all.sorted { $0.location < $1.location } }
}
