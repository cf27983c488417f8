import Hummingbird
import HummingbirdAuth
import RenkeiContracts

/// The request context of the gateway's routes: the caller's grant once ``BearerAuthenticator`` has checked its
/// token, and the linkage of the path once ``LinkageAccess`` has found it and admitted the caller.
struct GatewayRequestContext: AuthRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The grant of the request's Bearer token (HummingbirdAuth's identity).
    var identity: AccessGrant?
    /// The linkage named in the path, when the route's group has ``LinkageAccess``.
    var linkage: Linkage?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = CoreRequestContextStorage(source: source)
    }

    /// The caller's grant; 401 in a route without ``BearerAuthenticator`` (a routing mistake, not the caller's).
    var grant: AccessGrant {
        get throws {
            guard let identity else { throw Problem.unauthorized("This route needs a Bearer access token.") }
            return identity
        }
    }

    /// The linkage of the path; 404 in a route without ``LinkageAccess``.
    var pathLinkage: Linkage {
        get throws {
            guard let linkage else { throw Problem.notFound("There is no linkage in this path.") }
            return linkage
        }
    }
}
