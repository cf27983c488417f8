import Yams

/// Stage 2a: turns YAML documents into drafts, reporting every field that is missing, misspelled or mistyped.
enum DraftParser {
    static func parse(_ sources: ContractSources, into diagnostics: inout Diagnostics) -> ContractDrafts {
        var drafts = ContractDrafts()
        if let document = sources.systems {
            let lists = entries(
                of: document, listKey: "systems", optionalListKey: "operators", subject: "systems file",
                into: &diagnostics)
            drafts.systems = lists.required.compactMap {
                SystemParser.parse($0, file: document.file, into: &diagnostics)
            }
            drafts.operators = lists.optional.compactMap {
                SystemParser.parseOperator($0, file: document.file, into: &diagnostics)
            }
        }
        for document in sources.codeTables {
            drafts.codeTables += entries(
                of: document, listKey: "code-tables", subject: "code-table file", into: &diagnostics
            ).compactMap { CodeTableParser.parse($0, file: document.file, into: &diagnostics) }
        }
        for document in sources.layouts {
            if let layout = LayoutParser.parse(document.root, file: document.file, into: &diagnostics) {
                drafts.layouts.append(layout)
            }
        }
        for document in sources.linkages {
            if let linkage = LinkageParser.parse(document.root, file: document.file, into: &diagnostics) {
                drafts.linkages.append(linkage)
            }
        }
        return drafts
    }

    /// The entries of a file whose root is a mapping with a single list, such as `systems:`.
    private static func entries(
        of document: ContractSources.Document, listKey: String, subject: String, into diagnostics: inout Diagnostics
    ) -> [Node] {
        entries(of: document, listKey: listKey, optionalListKey: nil, subject: subject, into: &diagnostics).required
    }

    /// The entries of a file whose root is a mapping with a required list and, optionally, a second one (the
    /// systems file's `operators:`).
    private static func entries(
        of document: ContractSources.Document, listKey: String, optionalListKey: String?, subject: String,
        into diagnostics: inout Diagnostics
    ) -> (required: [Node], optional: [Node]) {
        guard var reader = FieldReader(document.root, file: document.file, subject: subject, into: &diagnostics)
        else { return ([], []) }
        let list = reader.list(listKey, required: true, into: &diagnostics) ?? []
        let optional = optionalListKey.flatMap { reader.list($0, required: false, into: &diagnostics) } ?? []
        reader.finish(into: &diagnostics)
        return (list, optional)
    }
}

enum SystemParser {
    static func parse(_ node: Node, file: String, into diagnostics: inout Diagnostics) -> SystemDraft? {
        guard var reader = FieldReader(node, file: file, subject: "system", into: &diagnostics) else { return nil }
        let id = reader.string("id", required: true, into: &diagnostics)
        let name = reader.string("name", required: true, into: &diagnostics)
        let kind = reader.choice("kind", as: SystemKind.self, required: true, into: &diagnostics)
        let zone = reader.choice("zone", as: Zone.self, required: true, into: &diagnostics)
        var credentials: Credentials?
        var clientIDLocation: SourceLocation?
        if let node = reader.node("credentials"),
            var fields = FieldReader(node, file: file, subject: "credentials", into: &diagnostics)
        {
            let clientID = fields.string("client-id", required: true, into: &diagnostics)
            let hash = fields.string("secret-sha256", required: true, into: &diagnostics)
            if let hash, !isSHA256Hex(hash.value) {
                diagnostics.error(
                    .invalidValue, at: hash.location,
                    "`secret-sha256` must be the SHA-256 of the client secret as 64 lowercase hex digits "
                        + "(`printf %s SECRET | sha256sum`); never write the secret itself.")
            }
            let signingHash = fields.string("signing-secret-sha256", required: false, into: &diagnostics)
            if let signingHash, !isSHA256Hex(signingHash.value) {
                diagnostics.error(
                    .invalidValue, at: signingHash.location,
                    "`signing-secret-sha256` must be the SHA-256 of the system's signing secret (`whsec_…`) as 64 "
                        + "lowercase hex digits; never write the secret itself.")
            }
            let certificate = fields.string("client-certificate-sha256", required: false, into: &diagnostics)
            if let certificate, !isSHA256Hex(certificate.value) {
                diagnostics.error(
                    .invalidValue, at: certificate.location,
                    "`client-certificate-sha256` must be the SHA-256 of the system's TLS client certificate (DER) as "
                        + "64 lowercase hex digits (`openssl x509 -in cert.pem -outform der | sha256sum`).")
            }
            fields.finish(into: &diagnostics)
            if let clientID, let hash {
                credentials = Credentials(
                    clientID: clientID.value, secretSHA256: hash.value, signingSecretSHA256: signingHash?.value,
                    clientCertificateSHA256: certificate?.value)
                clientIDLocation = clientID.location
            }
        }
        var endpoints = Endpoints()
        if let node = reader.node("endpoints"),
            var fields = FieldReader(node, file: file, subject: "endpoints", into: &diagnostics)
        {
            endpoints.webhook = url(&fields, "webhook", into: &diagnostics)
            endpoints.query = url(&fields, "query", into: &diagnostics)
            endpoints.storage = storageURL(&fields, "storage", into: &diagnostics)
            endpoints.inbox = storageURL(&fields, "inbox", into: &diagnostics)
            if let text = fields.string("inbox-encoding", required: false, into: &diagnostics) {
                if let encoding = TextEncoding(name: text.value) {
                    endpoints.inboxEncoding = encoding
                } else {
                    diagnostics.error(
                        .invalidValue, at: text.location,
                        "`inbox-encoding` is `\(text.value)`; it must be `utf-8`, `cp932` or `shift_jis`.")
                }
            }
            fields.finish(into: &diagnostics)
        }
        reader.finish(into: &diagnostics)
        guard let id, let name, let kind, let zone else { return nil }
        if !isValidSystemID(id.value, kind: kind.value) {
            let rule =
                kind.value == .standard
                ? "a standard-conforming system's id is its 3-digit 業務ID, such as `001`"
                : "an id is 1 to 32 ASCII letters, digits, `-` or `_`"
            diagnostics.error(.invalidValue, at: id.location, "The system id `\(id.value)` is not valid: \(rule).")
        }
        return SystemDraft(
            id: id, name: name.value, kind: kind.value, zone: zone.value, credentials: credentials,
            clientIDLocation: clientIDLocation, endpoints: endpoints, location: reader.location)
    }

    /// An entry of `operators:`: `client-id`, `name`, `secret-sha256`, and optionally `zone` (`general` unless
    /// said).
    static func parseOperator(_ node: Node, file: String, into diagnostics: inout Diagnostics) -> OperatorDraft? {
        guard var reader = FieldReader(node, file: file, subject: "operator", into: &diagnostics) else { return nil }
        let clientID = reader.string("client-id", required: true, into: &diagnostics)
        let name = reader.string("name", required: true, into: &diagnostics)
        let hash = reader.string("secret-sha256", required: true, into: &diagnostics)
        let zone = reader.choice("zone", as: Zone.self, required: false, into: &diagnostics)
        reader.finish(into: &diagnostics)
        if let hash, !isSHA256Hex(hash.value) {
            diagnostics.error(
                .invalidValue, at: hash.location,
                "`secret-sha256` must be the SHA-256 of the operator's client secret as 64 lowercase hex digits "
                    + "(`printf %s SECRET | sha256sum`); never write the secret itself.")
            return nil
        }
        guard let clientID, let name, let hash else { return nil }
        return OperatorDraft(
            clientID: clientID, name: name.value, secretSHA256: hash.value, zone: zone?.value ?? .general)
    }

    private static func url(
        _ fields: inout FieldReader, _ key: String, into diagnostics: inout Diagnostics
    )
        -> String?
    {
        guard let text = fields.string(key, required: false, into: &diagnostics) else { return nil }
        guard text.value.hasPrefix("http://") || text.value.hasPrefix("https://") else {
            diagnostics.error(
                .invalidValue, at: text.location, "The `\(key)` endpoint must be an http:// or https:// URL.")
            return nil
        }
        return text.value
    }

    /// A storage location: `file:///absolute/folder`, `file:relative/folder` (under the bus's data directory) or
    /// `s3://bucket/prefix`.
    private static func storageURL(
        _ fields: inout FieldReader, _ key: String, into diagnostics: inout Diagnostics
    )
        -> String?
    {
        guard let text = fields.string(key, required: false, into: &diagnostics) else { return nil }
        let value = text.value
        let problem: String?
        if value.hasPrefix("s3://") {
            let bucket = value.dropFirst(5).prefix { $0 != "/" }
            problem =
                (3...63).contains(bucket.utf8.count)
                    && bucket.utf8.allSatisfy {
                        (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x2E
                    }
                ? nil : "`s3://` is followed by a bucket name of 3 to 63 lowercase letters, digits, `-` or `.`"
        } else if value.hasPrefix("file://") {
            problem =
                value.hasPrefix("file:///") ? nil : "a `file://` URL names an absolute folder, `file:///srv/renkei/008`"
        } else if value.hasPrefix("file:") {
            let path = value.dropFirst(5)
            problem =
                path.isEmpty || path.split(separator: "/").contains("..")
                ? "a relative `file:` location names a folder under the data directory, without `..`" : nil
        } else {
            problem = "it must be `file:///folder`, `file:folder` (under the data directory) or `s3://bucket/prefix`"
        }
        if let problem {
            diagnostics.error(
                .invalidValue, at: text.location, "The `\(key)` location `\(value)` is not valid: \(problem).")
            return nil
        }
        return value
    }

    static func isValidSystemID(_ id: String, kind: SystemKind) -> Bool {
        if kind == .standard { return id.utf8.count == 3 && id.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        return (1...32).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == 0x2D || byte == 0x5F
            }
    }

    private static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

enum CodeTableParser {
    static func parse(_ node: Node, file: String, into diagnostics: inout Diagnostics) -> CodeTableDraft? {
        guard var reader = FieldReader(node, file: file, subject: "code table", into: &diagnostics) else {
            return nil
        }
        let id = reader.string("id", required: true, into: &diagnostics)
        let title = reader.string("title", required: true, into: &diagnostics)
        let codesNode = reader.node("codes")
        reader.finish(into: &diagnostics)
        guard let id, let title else { return nil }
        var codes: [Code] = []
        switch codesNode {
        case .mapping(let mapping)?:
            for (key, value) in mapping {
                let location = key.location(in: file)
                guard let code = key.scalar?.string, !code.isEmpty, let label = value.scalar?.string else {
                    diagnostics.error(
                        .wrongShape, at: location, "Each code of table `\(id.value)` is written `\"code\": label`.")
                    continue
                }
                codes.append(Code(value: code, label: label))
            }
        case nil:
            diagnostics.error(.missingField, at: reader.location, "The code table `\(id.value)` has no `codes`.")
        case let other?:
            diagnostics.error(
                .wrongShape, at: other.location(in: file),
                "`codes` of table `\(id.value)` must be a mapping of code to label, not \(other.shapeName).")
        }
        if codesNode != nil, codes.isEmpty {
            diagnostics.error(.invalidValue, at: reader.location, "The code table `\(id.value)` has no codes.")
        }
        return CodeTableDraft(id: id, table: CodeTable(id: id.value, title: title.value, codes: codes))
    }
}
