/// The log metadata keys this target uses, in one place.
enum StorageLoggingKeys {
    static let location = "renkei.storage.location"
    static let object = "renkei.storage.object"
    static let attempt = "renkei.storage.attempt"
    static let error = "renkei.storage.error"
}
