/// Why an object storage operation failed. Messages name the location and the object, never credentials.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is, for callers that branch on it.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case notFound = "not found"
            case unreachable = "unreachable"
            case refused = "refused"
            case invalidLocation = "invalid location"
            case missingCredentials = "missing credentials"
            case io = "I/O failure"
        }

        fileprivate let value: Value

        /// No object of that name.
        public static let notFound = Code(value: .notFound)
        /// The storage could not be reached or did not answer in time (connection refused or reset, timeout).
        public static let unreachable = Code(value: .unreachable)
        /// The storage answered with an error status.
        public static let refused = Code(value: .refused)
        /// The location or an object name is not acceptable.
        public static let invalidLocation = Code(value: .invalidLocation)
        /// No credentials, or an unreadable credentials file.
        public static let missingCredentials = Code(value: .missingCredentials)
        /// A local file system operation failed.
        public static let io = Code(value: .io)

        public var description: String { value.rawValue }
    }

    /// What kind of failure this is.
    public let code: Code
    /// The HTTP status the storage answered with, when it answered.
    public let httpStatus: Int?
    /// The storage's own error code (S3: `NoSuchKey`, `SignatureDoesNotMatch`, `SlowDown`), when it sent one.
    public let serviceCode: String?
    /// The storage location, as a URL.
    public let location: String?
    /// The object the operation was about, if any.
    public let object: String?
    /// What went wrong, in words.
    public let reason: String

    init(
        _ code: Code, reason: String, location: String? = nil, object: String? = nil, httpStatus: Int? = nil,
        serviceCode: String? = nil
    ) {
        self.code = code
        self.reason = reason
        self.location = location
        self.object = object
        self.httpStatus = httpStatus
        self.serviceCode = serviceCode
    }

    /// Whether trying again later may succeed: the storage was unreachable or timed out, answered 5xx, or asked to
    /// slow down (429, 503 `SlowDown`).
    public var isRetriable: Bool {
        switch code.value {
        case .unreachable: return true
        case .refused:
            guard let status = httpStatus else { return false }
            return status >= 500 || status == 429 || serviceCode == "SlowDown" || serviceCode == "RequestTimeout"
        case .notFound, .invalidLocation, .missingCredentials, .io: return false
        }
    }

    public var description: String {
        var text = "storage"
        if let location { text += " \(location)" }
        if let object { text += ", object '\(object)'" }
        text += ": \(code)"
        switch (httpStatus, serviceCode) {
        case (let status?, let service?): text += " (HTTP \(status) \(service))"
        case (let status?, nil): text += " (HTTP \(status))"
        case (nil, let service?): text += " (\(service))"
        case (nil, nil): break
        }
        return text + ": " + reason
    }

    /// The same error, said about `location` and `object` where it did not name them yet.
    func about(location: String?, object: String?) -> StorageError {
        StorageError(
            code, reason: reason, location: self.location ?? location, object: self.object ?? object,
            httpStatus: httpStatus, serviceCode: serviceCode)
    }
}
