import Foundation

/// Where file linkage objects live: a folder on this machine or a bucket prefix of an S3-compatible service.
public enum StorageLocation: Sendable, Hashable, CustomStringConvertible {
    /// An absolute folder path, from `file:///abs/path`.
    case folder(path: String)
    /// A bucket and a key prefix without leading or trailing `/` (empty for the whole bucket), from
    /// `s3://bucket/some/prefix`.
    case s3(bucket: String, prefix: String)

    /// Parses `file:///abs/path` or `s3://bucket/some/prefix`.
    public init(parsing text: String) throws(StorageError) {
        func invalid(_ reason: String) -> StorageError {
            StorageError(.invalidLocation, reason: reason, location: text)
        }
        guard let schemeEnd = text.range(of: "://") else {
            if text.hasPrefix("/") {
                throw invalid("a folder is written as a URL: file://\(text)")
            }
            throw invalid("expected file:///absolute/path or s3://bucket/prefix")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        let rest = String(text[schemeEnd.upperBound...])
        switch scheme {
        case "file":
            // file://host/path names a host; only the local one (empty or localhost) is a folder here.
            var path = rest
            if path.hasPrefix("localhost/") { path.removeFirst("localhost".count) }
            guard path.hasPrefix("/") else {
                throw invalid("a folder path must be absolute (file:///abs/path), not relative")
            }
            guard let decoded = path.removingPercentEncoding, !decoded.contains("\0") else {
                throw invalid("the folder path has an invalid percent escape")
            }
            let components = decoded.split(separator: "/", omittingEmptySubsequences: true)
            guard !components.contains(where: { $0 == ".." || $0 == "." }) else {
                throw invalid("the folder path must not contain '.' or '..' components")
            }
            self = .folder(path: "/" + components.joined(separator: "/"))
        case "s3":
            let bucket = String(rest.prefix { $0 != "/" })
            guard !bucket.isEmpty else { throw invalid("the bucket name is missing (s3://bucket/prefix)") }
            if let problem = Self.bucketNameProblem(bucket) { throw invalid("bucket name '\(bucket)' \(problem)") }
            var prefix = String(rest.dropFirst(bucket.count))
            while prefix.hasPrefix("/") { prefix.removeFirst() }
            while prefix.hasSuffix("/") { prefix.removeLast() }
            if !prefix.isEmpty {
                let components = prefix.split(separator: "/", omittingEmptySubsequences: false)
                guard !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                    throw invalid("the key prefix must not contain empty, '.' or '..' components")
                }
            }
            self = .s3(bucket: bucket, prefix: prefix)
        default:
            throw invalid("unknown scheme '\(scheme)': expected file:// or s3://")
        }
    }

    /// The location as a URL that ``init(parsing:)`` reads back.
    public var description: String {
        switch self {
        case .folder(let path):
            return "file://" + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path)
        case .s3(let bucket, let prefix):
            return prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)"
        }
    }

    /// What is wrong with an S3 bucket name under the general-purpose bucket rules, or nil.
    static func bucketNameProblem(_ name: String) -> String? {
        guard (3...63).contains(name.utf8.count) else { return "must be 3 to 63 characters long" }
        let allowed = name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        guard allowed else { return "may contain only lowercase letters, digits, '.' and '-'" }
        guard let first = name.first, let last = name.last, first.isLetter || first.isNumber,
            last.isLetter || last.isNumber
        else { return "must begin and end with a letter or digit" }
        guard !name.contains("..") else { return "must not contain two adjacent periods" }
        let octets = name.split(separator: ".")
        if octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) {
            return "must not be formatted as an IP address"
        }
        return nil
    }
}
