/// The rules every object name follows, whatever the storage: `/`-separated, relative, and unable to step outside
/// the location, so a name from a contract or a request can never reach another folder or prefix.
enum ObjectName {
    /// The name's components; throws when the name is empty, absolute, or has empty, `.` or `..` components.
    static func components(of name: String, location: StorageLocation) throws(StorageError) -> [Substring] {
        func invalid(_ reason: String) -> StorageError {
            StorageError(.invalidLocation, reason: reason, location: location.description, object: name)
        }
        guard !name.isEmpty else { throw invalid("an object name must not be empty") }
        guard !name.hasPrefix("/") else { throw invalid("an object name must be relative (no leading '/')") }
        guard !name.utf8.contains(0) else { throw invalid("an object name must not contain NUL") }
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        for component in components {
            if component.isEmpty {
                throw invalid("an object name must not contain empty components ('//' or a trailing '/')")
            }
            if component == "." || component == ".." { throw invalid("an object name must not contain '.' or '..'") }
        }
        return components
    }

    /// Checks a listing prefix: empty, or a name or the start of one (a trailing `/` allowed).
    static func validatePrefix(_ prefix: String, location: StorageLocation) throws(StorageError) {
        guard !prefix.isEmpty else { return }
        var trimmed = prefix
        if trimmed.hasSuffix("/") { trimmed.removeLast() }
        _ = try components(of: trimmed, location: location)
    }
}
