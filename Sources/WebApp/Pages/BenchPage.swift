import HTTPCore

/// The benchmark's "FastCGI ceiling" (bench/run, case B): a route that goes through nginx,
/// libfcgi, the worker, the request parsing, the session and the router like every page, and
/// then returns `size` bytes without touching the database or the templates. Answers 404 unless
/// the app was started with `contacts-fcgi --bench-routes` (`AppConfiguration.benchRoutes`).
extension Application {
    static let benchBodyLimit = 1 << 20

    func showBenchBytes(_ context: RequestContext) throws -> HTTPResponse {
        guard configuration.benchRoutes else { throw WebError.notFound }
        guard let text = context.query.value("size"), let size = Int(text), (0...Self.benchBodyLimit).contains(size) else {
            throw WebError.badRequest
        }
        return HTTPResponse(
            status: .ok, headers: [("Content-Type", "text/html; charset=utf-8")],
            body: [UInt8](repeating: UInt8(ascii: "x"), count: size))
    }
}
