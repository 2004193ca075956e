import ContactsStore
import Foundation
import HTTPCore

/// What a load balancer and Prometheus read: plain text, no session, no language.
extension Application {
    /// 200 when the database answers, with how far behind the outbox is; 503 when it does not.
    func showHealth(_ context: RequestContext) throws -> HTTPResponse {
        let headers = [("Content-Type", "text/plain; charset=utf-8")]
        do {
            let outbox = try database.outboxHealth(now: context.now)
            let age = outbox.oldestPendingAge.map { String(Int($0.rounded(.down))) } ?? "0"
            return HTTPResponse(status: .ok, headers: headers, body: Array("""
                ok
                database: ok
                outbox_pending: \(outbox.pending)
                outbox_oldest_pending_age_seconds: \(age)

                """.utf8))
        } catch where Self.isUnavailable(error) {
            return HTTPResponse(status: .serviceUnavailable, headers: headers + [("Retry-After", "5")], body: Array("""
                unavailable
                database: unavailable

                """.utf8))
        }
    }

    /// Prometheus' text format, to loopback only: nginx.conf lets only its allowed addresses
    /// through, and the app refuses any other all the same (404, as for a page that is not there).
    func showMetrics(_ context: RequestContext) throws -> HTTPResponse {
        let address = context.request.remoteAddress
        guard address.hasPrefix("127.") || address == "::1" else { throw WebError.notFound }
        return HTTPResponse(
            status: .ok, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
            body: try metrics.exposition(database: database, now: context.now))
    }
}
