import Foundation
import Hummingbird
import RenkeiBus
import RenkeiContracts

/// File linkage for a file receiver (scope `<provider>:<linkage>:files`): `GET /linkages/{linkage}/files` lists the
/// manifests of its newest files; `POST /linkages/{linkage}/files` writes its file for the window ending now (how an
/// `on-demand` linkage is delivered; the bus writes `daily` and `event` files on its own). The files themselves are
/// in the receiver's storage location, never served over this API.
struct FileRoutes {
    let gateway: Gateway

    func register(on router: some RouterMethods<GatewayRequestContext>) {
        let receivers = router.linkageGroup(gateway, scope: Scopes.files)
        receivers.get("/linkages/{linkage}/files") { request, context in try await list(request, context) }
        receivers.post("/linkages/{linkage}/files") { request, context in try await deliver(request, context) }
    }

    private func receiver(_ request: Request, _ context: GatewayRequestContext) async throws -> (Linkage, String) {
        let linkage = try context.pathLinkage
        let grant = try context.grant
        guard let receiver = grant.principal.systemID,
            linkage.receivers.contains(where: { $0.system == receiver && $0.delivery == .file })
        else { throw Problem.forbidden(scope: Scopes.files(linkage)) }
        return (linkage, receiver)
    }

    private func list(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let (linkage, receiver) = try await receiver(request, context)
        let limit = try FeedRoutes.integer(
            request.uri.queryParameters["limit"], name: "limit", default: 20, range: 1...100)
        let manifests = try await gateway.bus.fileManifests(linkage: linkage.id, receiver: receiver, limit: limit)
        var body: [UInt8] = Array(#"{"files":["#.utf8)
        for (index, manifest) in manifests.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += manifest.encoded()
        }
        body += Array("]}".utf8)
        return Gateway.json(body)
    }

    private func deliver(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let (linkage, receiver) = try await receiver(request, context)
        do {
            guard let manifest = try await gateway.bus.deliverFile(linkage: linkage.id, receiver: receiver) else {
                return Gateway.json(Array(#"{"written":false}"#.utf8))
            }
            return Gateway.json(manifest.encoded(), status: .created)
        } catch let error as FileWindowTaken {
            throw Problem(
                .conflict, "file-in-progress", "File in progress", detail: "\(error)", headers: [.retryAfter: "5"])
        } catch let error as FileDeliveryError {
            throw Problem(
                .serviceUnavailable, "file-not-written", "File not written",
                detail: "\(error) A dead letter records it; the records wait for the next file.")
        }
    }
}
