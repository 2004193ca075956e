import HTTPCore

/// Maps a method and a decoded path to a handler. A pattern is a path whose segments are
/// literals or `:id`, a positive integer handed to the handler; a path known under another
/// method answers 405 with the methods it does allow. The pages' router hands a handler the
/// page's ``RequestContext``; the API's (`APIRoutes.swift`) its own ``APIContext``.
typealias Router = PathRouter<@Sendable (Application, RequestContext) throws -> HTTPResponse>

struct PathRouter<Handler: Sendable>: Sendable {

    enum Match {
        case found(Handler, id: Int64?)
        case wrongMethod(allowed: [String])
        case none
    }

    private struct Route: Sendable {
        let segments: [Substring]
        var handlers: [String: Handler]
    }

    private var routes: [Route] = []

    mutating func add(_ method: String, _ pattern: String, _ handler: Handler) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: false)
        if let index = routes.firstIndex(where: { $0.segments == segments }) {
            routes[index].handlers[method] = handler
        } else {
            routes.append(Route(segments: segments, handlers: [method: handler]))
        }
    }

    func match(method: String, path: String) -> Match {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for route in routes where route.segments.count == segments.count {
            guard let id = Self.bind(route.segments, to: segments) else { continue }
            if let handler = route.handlers[method] { return .found(handler, id: id) }
            var allowed = route.handlers.keys.sorted()
            if allowed.contains("GET") { allowed.append("HEAD") }
            return .wrongMethod(allowed: allowed)
        }
        return .none
    }

    /// The pattern a path falls under ("/requests/:id"), to name it in metrics and logs
    /// without the IDs; "other" for paths no route knows, so that scanners cannot fill the
    /// metrics with names of their own.
    func routeLabel(path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for route in routes where route.segments.count == segments.count && Self.bind(route.segments, to: segments) != nil {
            return route.segments.joined(separator: "/")
        }
        return "other"
    }

    /// nil when the path does not fit the pattern; `.some(nil)` when it fits without an `:id`.
    private static func bind(_ pattern: [Substring], to path: [Substring]) -> Int64?? {
        var id: Int64?
        for (expected, actual) in zip(pattern, path) {
            if expected == ":id" {
                guard let value = Int64(actual), value > 0, actual.allSatisfy(\.isASCII) else { return nil }
                id = value
            } else if expected != actual {
                return nil
            }
        }
        return .some(id)
    }
}
