import HTTPTypes
import Hummingbird
import Synchronization

/// The methods each route path answers, recorded as the routes are registered, so that a request whose path exists
/// under other methods gets 405 with `Allow` (RFC 9110 §15.5.6) instead of 404. Hummingbird's router answers 404 for
/// both.
final class AllowedMethods: Sendable {
    private let routes = Mutex<[(path: RouterPath, method: HTTPRequest.Method)]>([])

    func record(_ path: RouterPath, _ method: HTTPRequest.Method) {
        routes.withLock { $0.append((path, method)) }
    }

    /// The methods of the routes whose path matches `path`, in registration order; empty when none does.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        var methods: [HTTPRequest.Method] = []
        for route in routes.withLock({ $0 }) where Self.matches(route.path, components) {
            if !methods.contains(route.method) { methods.append(route.method) }
        }
        return methods
    }

    /// The `Allow` value for `methods`.
    static func allowHeader(_ methods: [HTTPRequest.Method]) -> String {
        methods.map(\.rawValue).joined(separator: ", ")
    }

    private static func matches(_ route: RouterPath, _ components: [Substring]) -> Bool {
        let elements = route.components
        var index = 0
        for element in elements {
            if element == .recursiveWildcard { return true }
            guard index < components.count, element ~= components[index] else { return false }
            index += 1
        }
        return index == components.count
    }
}

/// The gateway's routes are registered through this, which records each path and method in ``AllowedMethods``.
struct RecordingRouter: RouterMethods {
    typealias Context = GatewayRequestContext
    let router: Router<Context>
    let allowed: AllowedMethods

    @discardableResult
    func on<Responder: HTTPResponder>(
        _ path: RouterPath, method: HTTPRequest.Method, responder: Responder
    ) -> Self where Responder.Context == Context {
        allowed.record(path, method)
        router.on(path, method: method, responder: responder)
        return self
    }

    @discardableResult
    func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        router.add(middleware: middleware)
        return self
    }
}
