import HTTPTypes
import Hummingbird
import RenkeiBus
import RenkeiContracts

/// The caller's purpose for a provide, a bulk transfer or a query: the `Renkei-Request-Purpose` header,
/// percent-encoded UTF-8 as CloudEvents HTTP headers are (``RequestPurpose/init(httpHeader:)``). Not
/// `Renkei-Purpose`: the contract already gives each receiver a purpose of use, which webhooks receive as
/// `ce-renkeipurpose`; this one is the request's own and arrives beside it as `ce-renkeirequestpurpose`.
enum RequestPurposeHeader {
    static let name = HTTPField.Name("Renkei-Request-Purpose")!

    /// The request's purpose, `nil` without the header; a 400 `invalid-purpose` problem, naming the header, when it
    /// cannot be used. Checked before the body is read, so a refused request writes nothing.
    static func purpose(of request: Request) throws -> RequestPurpose? {
        let values = request.headers[values: name]
        guard let value = values.first else { return nil }
        guard values.count == 1 else {
            throw Problem.badRequest("invalid-purpose", "The request carries `\(name)` more than once; send it once.")
        }
        do {
            return try RequestPurpose(httpHeader: value)
        } catch {
            var problem = Problem.badRequest("invalid-purpose", "The header `\(name)` \(error.reason)")
            problem.extensions = [("header", .string(name.rawName)), ("reason", .string(error.code.rawValue))]
            throw problem
        }
    }
}
