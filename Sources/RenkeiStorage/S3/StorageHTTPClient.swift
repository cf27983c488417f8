import AsyncHTTPClient

/// The HTTP client all S3 storage shares, for the life of the process (like `HTTPClient.shared`, it is never shut
/// down). It differs from `HTTPClient.shared` in one way: a connection that cannot be established fails the
/// request at once instead of being retried until the request's deadline, because ``S3Client`` retries with its
/// own back-off and a storage that is down should say so in milliseconds, not after the whole timeout.
enum StorageHTTPClient {
    static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
