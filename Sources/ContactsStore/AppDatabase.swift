import CoreMetrics
import Credentials
import Foundation
import GRDB

/// The application database: one SQLite file in WAL mode behind one `DatabasePool`.
///
/// It owns the schema (``AppDatabase/migrator``, run at open) and exposes named operations that
/// keep the invariants; no SQL leaves this module. Writes are serialized by the pool's single
/// writer connection; reads run concurrently on snapshot-isolated reader connections.
public final class AppDatabase: Sendable {
    let dbPool: DatabasePool
    /// Renders the request emails; nil for programs that never act on requests (the request
    /// operations then throw ``StoreError/noEmailComposer``).
    let requestEmails: (any RequestEmailComposer)?
    /// Makes every confirmation code (a random secret; tests may fix it).
    let newCode: @Sendable () -> String
    /// Set for databases made by ``temporary()``: removed with the database.
    private let temporaryDirectory: URL?
    /// The database this one shares its pool with (see ``with(emails:codes:metrics:)``), kept alive.
    private let sharedFrom: AppDatabase?
    /// Times every transaction (database time in /metrics).
    let timer: DatabaseTimer
    /// Every write transaction goes through it: concurrent writes share one durable commit.
    let commits: GroupCommit

    /// Opens (creating if needed) the database at `path` and migrates it to the latest schema.
    public convenience init(
        path: String, emails: (any RequestEmailComposer)? = nil,
        codes: @escaping @Sendable () -> String = { Secret.generate() }
    ) throws {
        try self.init(path: path, temporaryDirectory: nil, emails: emails, codes: codes)
    }

    private init(
        path: String, temporaryDirectory: URL?, emails: (any RequestEmailComposer)?,
        codes: @escaping @Sendable () -> String
    ) throws {
        let pool = try DatabasePool(path: path, configuration: Self.makeConfiguration())
        // GRDB's WAL set-up runs after `prepareDatabase` and lowers the writer to
        // `synchronous = NORMAL`; raise it again on the one connection that writes, so a commit
        // that returned survives a power cut.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        try Self.migrator.migrate(pool)
        self.dbPool = pool
        self.temporaryDirectory = temporaryDirectory
        self.sharedFrom = nil
        self.requestEmails = emails
        self.newCode = codes
        self.timer = DatabaseTimer(engine: "sqlite")
        self.commits = GroupCommit(pool: pool)
    }

    private init(
        sharing other: AppDatabase, emails: any RequestEmailComposer, codes: @escaping @Sendable () -> String,
        timer: DatabaseTimer
    ) {
        self.dbPool = other.dbPool
        self.temporaryDirectory = nil
        self.sharedFrom = other
        self.requestEmails = emails
        self.newCode = codes
        self.timer = timer
        self.commits = other.commits
    }

    /// The same database (one pool) with the request emails written by `emails`, and its
    /// transactions timed by `metrics` when given: how the web application hands its composer
    /// and its metrics to a database opened before it.
    public func with(
        emails: any RequestEmailComposer, codes: @escaping @Sendable () -> String = { Secret.generate() },
        metrics: (any MetricsFactory)? = nil
    ) -> AppDatabase {
        AppDatabase(sharing: self, emails: emails, codes: codes,
                    timer: metrics.map { DatabaseTimer(engine: "sqlite", factory: $0) } ?? timer)
    }

    /// A read transaction on a snapshot, timed.
    func timedRead<T>(_ body: (Database) throws -> T) throws -> T {
        try timer.measure(.read) { try dbPool.read(body) }
    }

    /// A write transaction on the single writer, timed: its own savepoint in the next group
    /// commit, returning once that commit is durable (``GroupCommit``).
    func timedWrite<T>(_ body: (Database) throws -> T) throws -> T {
        try timer.measure(.write) { try commits.write(body) }
    }

    /// The single writer outside a transaction (pragmas, checkpoints, bulk loads), timed.
    func timedWriteWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try timer.measure(.write) { try dbPool.writeWithoutTransaction(body) }
    }

    /// A database in a real file inside a fresh temporary directory, deleted with this value.
    public static func temporary(
        emails: (any RequestEmailComposer)? = nil, codes: @escaping @Sendable () -> String = { Secret.generate() }
    ) throws -> AppDatabase {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("contacts-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try AppDatabase(
            path: directory.appendingPathComponent("contacts.sqlite").path,
            temporaryDirectory: directory, emails: emails, codes: codes)
    }

    /// The identifiers of the migrations applied to this database, oldest first.
    public func appliedMigrations() throws -> [String] {
        try timedRead { db in try Self.migrator.appliedMigrations(db) }
    }

    deinit {
        if let temporaryDirectory {
            try? FileManager.default.removeItem(at: temporaryDirectory)
        }
    }

    static func makeConfiguration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.journalMode = .wal
        // Wait for a competing writer (another process, such as contacts-admin) rather than
        // failing at once.
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            // Durable commits. GRDB resets the writer to NORMAL when it enables WAL, hence the
            // second PRAGMA in `init`; this one covers any connection opened later.
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            // Deleted and overwritten content is zeroed, not left in free space: a delivered
            // email's body (its code), an ended session's digest. With the checkpoint after
            // each delivery (`truncateWriteAheadLog`), no file keeps them.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return config
    }
}
