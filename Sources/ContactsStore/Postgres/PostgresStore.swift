import CoreMetrics
import Credentials
import Foundation

/// The store on PostgreSQL: the same named operations as ``AppDatabase`` (``StoreEngine``), for
/// several app hosts on one server. Persistence only: the decisions are the domain's, as on
/// SQLite. Transactions run on a ``PostgresPool`` of libpq connections, synchronous like the
/// FastCGI workers that call them.
public final class PostgresStore: Sendable {
    let pool: PostgresPool
    let timer: DatabaseTimer
    /// Renders the request emails; nil in tools that do not touch requests.
    let requestEmails: (any RequestEmailComposer)?
    let newCode: @Sendable () -> String
    /// How long a deliverer holds the emails it took: after that, one whose holder died is due
    /// again for any other deliverer.
    public static let claimDuration: TimeInterval = 300

    /// Connects to `url` (a `postgres://` or `postgresql://` URL, as libpq reads it) with up to
    /// `connections` connections (one per worker thread), and migrates the schema. `emails`
    /// renders the request emails, `codes` makes their confirmation codes.
    public init(url: String, connections: Int = 8, statementTimeout: Duration = .seconds(5),
                metrics: (any MetricsFactory)? = nil, emails: (any RequestEmailComposer)? = nil,
                codes: @escaping @Sendable () -> String = { Secret.generate() }) throws {
        requestEmails = emails
        newCode = codes
        pool = PostgresPool(url: url, size: connections, statementTimeout: statementTimeout)
        timer = metrics.map { DatabaseTimer(engine: "postgresql", factory: $0) } ?? DatabaseTimer(engine: "postgresql")
        try PostgresMigrator.migrate(pool)
    }

    private init(sharing other: PostgresStore, emails: any RequestEmailComposer,
                 codes: @escaping @Sendable () -> String, timer: DatabaseTimer) {
        pool = other.pool
        requestEmails = emails
        newCode = codes
        self.timer = timer
    }

    /// The same database (one pool) with the request emails written by `emails`, and its
    /// transactions timed by `metrics` when given (see ``AppDatabase/with(emails:codes:metrics:)``).
    public func with(
        emails: any RequestEmailComposer, codes: @escaping @Sendable () -> String = { Secret.generate() },
        metrics: (any MetricsFactory)? = nil
    ) -> PostgresStore {
        PostgresStore(sharing: self, emails: emails, codes: codes,
                      timer: metrics.map { DatabaseTimer(engine: "postgresql", factory: $0) } ?? timer)
    }

    /// A read transaction on one snapshot, timed.
    @discardableResult
    func read<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try timer.measure(.read) { try pool.transaction(readOnly: true, body) }
    }

    /// A write transaction, timed.
    @discardableResult
    func write<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try timer.measure(.write) { try pool.transaction(body) }
    }

    /// The identifiers of the migrations applied, oldest first.
    public func appliedMigrations() throws -> [String] {
        try read { connection in
            try connection.query("SELECT identifier FROM schema_migration ORDER BY applied_order").map { try $0.string("identifier") }
        }
    }
}
