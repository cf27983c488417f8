import Foundation

/// Multipart upload calls: parts of at least 5 MiB (except the last), up to 10,000, completed with their entity
/// tags, or aborted so no parts are left behind.
extension S3Client {
    /// The most parts one upload may have.
    static let maximumParts = 10_000

    /// A part that was uploaded.
    struct UploadedPart: Sendable, Hashable {
        var number: Int
        var etag: String
    }

    /// An upload that was started and neither completed nor aborted.
    struct PendingUpload: Sendable, Hashable {
        var key: String
        var uploadID: String
    }

    func createMultipartUpload(_ key: String, contentType: String) async throws(StorageError) -> String {
        let response = try await send(
            Call(
                method: .post, key: key, query: [(name: "uploads", value: "")],
                headers: [(name: "content-type", value: contentType)]))
        guard let uploadID = XMLTree.parse(response.body)?["UploadId"], !uploadID.isEmpty else {
            throw StorageError(
                .refused, reason: "CreateMultipartUpload answered without an UploadId", location: locationText,
                object: key, httpStatus: response.status)
        }
        return uploadID
    }

    func uploadPart(
        _ key: String, uploadID: String, number: Int, body: [UInt8]
    ) async throws(StorageError)
        -> UploadedPart
    {
        let response = try await send(
            Call(
                method: .put, key: key,
                query: [(name: "partNumber", value: "\(number)"), (name: "uploadId", value: uploadID)], body: body))
        guard let etag = response.header("etag") else {
            throw StorageError(
                .refused, reason: "UploadPart \(number) answered without an ETag", location: locationText,
                object: key, httpStatus: response.status)
        }
        return UploadedPart(number: number, etag: etag)
    }

    func completeMultipartUpload(_ key: String, uploadID: String, parts: [UploadedPart]) async throws(StorageError) {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts.sorted(by: { $0.number < $1.number }) {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(Self.escapeXML(part.etag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let response = try await send(
            Call(
                method: .post, key: key, query: [(name: "uploadId", value: uploadID)],
                headers: [(name: "content-type", value: "application/xml")], body: Array(xml.utf8)))
        if let failure = Self.embeddedFailure(response, method: .post) {
            throw failure.about(location: locationText, object: key)
        }
    }

    func abortMultipartUpload(_ key: String, uploadID: String) async throws(StorageError) {
        do throws(StorageError) {
            _ = try await send(Call(method: .delete, key: key, query: [(name: "uploadId", value: uploadID)]))
        } catch  where error.code == .notFound {
            // Already gone: what abort wanted.
        }
    }

    /// Uploads under `prefix` that were started and neither completed nor aborted (the first 1,000).
    func listMultipartUploads(prefix: String) async throws(StorageError) -> [PendingUpload] {
        var query: [(name: String, value: String)] = [(name: "uploads", value: "")]
        if !prefix.isEmpty { query.append((name: "prefix", value: prefix)) }
        let response = try await send(Call(method: .get, key: nil, query: query, maxResponseBytes: 16 * 1024 * 1024))
        guard let tree = XMLTree.parse(response.body) else {
            throw StorageError(.refused, reason: "the upload listing is not XML", httpStatus: response.status)
        }
        return tree.children("Upload").compactMap { upload in
            guard let key = upload["Key"], let id = upload["UploadId"] else { return nil }
            return PendingUpload(key: key, uploadID: id)
        }
    }

    private static func escapeXML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
