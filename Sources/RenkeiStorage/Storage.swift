public import Logging

/// Opens storage by location, so callers need not know its kind.
public enum Storage {
    /// The storage at `location`: a ``FolderStorage`` for `file://`, an ``S3Storage`` reached with `settings` for
    /// `s3://`.
    public static func open(
        _ location: StorageLocation, settings: S3Settings = .fromEnvironment(),
        logger: Logger = Logger(label: "renkei.storage")
    ) -> any ObjectStorage {
        switch location {
        case .folder(let path):
            return FolderStorage(validatedRoot: path)
        case .s3(let bucket, let prefix):
            return S3Storage(bucket: bucket, prefix: prefix, settings: settings, logger: logger)
        }
    }
}
