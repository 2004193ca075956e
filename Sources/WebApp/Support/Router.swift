import HTTPCore

/// Maps a method and a decoded path to a handler. Paths are exact; a path known under another
/// method answers 405 with the methods it does allow.
struct Router: Sendable {
    typealias Handler = @Sendable (Application, RequestContext) throws -> HTTPResponse

    enum Match {
        case found(Handler)
        case wrongMethod(allowed: [String])
        case none
    }

    private var routes: [String: [String: Handler]] = [:]

    mutating func add(_ method: String, _ path: String, _ handler: @escaping Handler) {
        routes[path, default: [:]][method] = handler
    }

    func match(method: String, path: String) -> Match {
        guard let byMethod = routes[path] else { return .none }
        if let handler = byMethod[method] { return .found(handler) }
        var allowed = byMethod.keys.sorted()
        if allowed.contains("GET") { allowed.append("HEAD") }
        return .wrongMethod(allowed: allowed)
    }
}
