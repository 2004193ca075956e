import ContactsDomain
import Foundation
import GRDB
import Testing
@testable import ContactsStore

/// The engines the conformance tests run on. PostgreSQL is the cluster named by
/// `CONTACTS_TEST_POSTGRES_URL` (scripts/test starts one; scripts/postgres-cluster by hand):
/// each test gets a fresh database on it. Without it, the PostgreSQL half fails under CI and is
/// skipped with a message elsewhere.
enum StoreEngineKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgresql

    var testDescription: String { rawValue }

    /// A fresh, migrated, empty store on this engine, or nil when PostgreSQL is not available
    /// outside CI.
    func makeStore(emails: (any RequestEmailComposer)? = nil) throws -> TestStore? {
        switch self {
        case .sqlite:
            return TestStore(engine: try AppDatabase.temporary(emails: emails), database: nil)
        case .postgresql:
            guard let database = try PostgresTestDatabase.make() else { return nil }
            return TestStore(engine: try PostgresStore(url: database.url, connections: 16, emails: emails), database: database)
        }
    }
}

/// A store under test, with the PostgreSQL database it lives in (dropped after it).
final class TestStore {
    let engine: any StoreEngine
    private let database: PostgresTestDatabase?

    init(engine: any StoreEngine, database: PostgresTestDatabase?) {
        self.engine = engine
        self.database = database
    }

    /// The text columns of `sql`'s rows (`$1`, `$2` parameters, read on both engines).
    func rows(_ sql: String, _ parameters: [any TestParameter] = []) throws -> [[String: String]] {
        let statement = SharedStatement(sql: sql, values: parameters.map(\.sharedValue))
        switch engine {
        case let sqlite as AppDatabase:
            return try sqlite.dbPool.read { db in
                try Row.fetchAll(db, sql: sql, arguments: statement.arguments).map { row in
                    Dictionary(uniqueKeysWithValues: row.columnNames.map { name in
                        let value: DatabaseValue = row[name]
                        return (name, String.fromDatabaseValue(value) ?? Int64.fromDatabaseValue(value).map(String.init) ?? "")
                    })
                }
            }
        case let postgres as PostgresStore:
            return try postgres.read { connection in
                try connection.query(sql, statement.parameters).map { row in
                    Dictionary(uniqueKeysWithValues: row.names.map { ($0, row[$0] ?? "") })
                }
            }
        default:
            Issue.record("unknown engine \(type(of: engine))")
            return []
        }
    }

    /// Runs `sql` (`$1`, `$2` parameters) in a write transaction of its own on both engines;
    /// answers how many rows it changed. Throws the engine's own error.
    @discardableResult
    func execute(_ sql: String, _ parameters: [any TestParameter] = []) throws -> Int {
        let statement = SharedStatement(sql: sql, values: parameters.map(\.sharedValue))
        switch engine {
        case let sqlite as AppDatabase:
            return try sqlite.dbPool.write { db in
                try db.execute(sql: sql, arguments: statement.arguments)
                return db.changesCount
            }
        case let postgres as PostgresStore:
            return try postgres.write { connection in try connection.count(sql, statement.parameters) }
        default:
            Issue.record("unknown engine \(type(of: engine))")
            return 0
        }
    }

    /// Whether `error` is the engine refusing a row by a constraint of its schema (NOT NULL,
    /// CHECK, foreign key, unique).
    func isConstraintViolation(_ error: any Error) -> Bool {
        switch error {
        case let error as DatabaseError: engine is AppDatabase && error.resultCode == .SQLITE_CONSTRAINT
        case let error as PostgresError: engine is PostgresStore && error.sqlState?.hasPrefix("23") == true
        default: false
        }
    }

    /// Writes emails to the outbox the way the request operations do, in one transaction.
    func enqueue(_ emails: [OutgoingEmail], at time: Date) throws {
        switch engine {
        case let sqlite as AppDatabase:
            try sqlite.dbPool.write { db in try AppDatabase.enqueue(emails, requestID: nil, now: time, db) }
        case let postgres as PostgresStore:
            try postgres.pool.transaction { connection in
                try PostgresStore.enqueue(emails, requestID: nil, now: time, connection)
            }
        default:
            Issue.record("unknown engine \(type(of: engine))")
        }
    }
}

/// A parameter of ``TestStore``'s raw statements.
protocol TestParameter {
    var sharedValue: SharedStatement.Value { get }
}

extension Int64: TestParameter {
    var sharedValue: SharedStatement.Value { .int(self) }
}

extension String: TestParameter {
    var sharedValue: SharedStatement.Value { .text(self) }
}

/// One database of its own on the test cluster, dropped when released.
final class PostgresTestDatabase: @unchecked Sendable {
    static let environmentVariable = "CONTACTS_TEST_POSTGRES_URL"

    /// The cluster's URL (its maintenance database), or nil outside CI when it is not set.
    static func clusterURL() throws -> String? {
        if let url = ProcessInfo.processInfo.environment[environmentVariable], !url.isEmpty { return url }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            throw MissingCluster()
        }
        print("PostgreSQL tests skipped: \(environmentVariable) is not set (scripts/test starts a cluster)")
        return nil
    }

    struct MissingCluster: Error, CustomStringConvertible {
        var description: String {
            "\(PostgresTestDatabase.environmentVariable) is not set: under CI the PostgreSQL half must run (scripts/test starts the cluster)"
        }
    }

    let url: String
    private let clusterURL: String
    private let name: String

    static func make() throws -> PostgresTestDatabase? {
        guard let clusterURL = try clusterURL() else { return nil }
        return try PostgresTestDatabase(clusterURL: clusterURL)
    }

    private init(clusterURL: String) throws {
        self.clusterURL = clusterURL
        name = "contacts_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try PostgresConnection(url: clusterURL, statementTimeout: .seconds(30)).execute("CREATE DATABASE \(name)")
        url = Self.url(clusterURL, database: name)
    }

    /// `clusterURL` with another database name (a query parameter overrides the path's).
    static func url(_ clusterURL: String, database: String) -> String {
        clusterURL + (clusterURL.contains("?") ? "&" : "?") + "dbname=\(database)"
    }

    deinit {
        try? PostgresConnection(url: clusterURL, statementTimeout: .seconds(30))
            .execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }
}

/// The emails waiting in the outbox, oldest first, read without claiming them (on PostgreSQL,
/// `pendingEmails` is a deliverer's claim).
func undeliveredEmails(_ engine: any StoreEngine) throws -> [OutgoingEmail] {
    switch engine {
    case let sqlite as AppDatabase:
        return try sqlite.dbPool.read { db in
            try OutboxRecord.fetchAll(db, sql: "SELECT * FROM outbox WHERE delivered_at IS NULL ORDER BY id")
        }.compactMap(\.pendingEmail?.email)
    case let postgres as PostgresStore:
        return try postgres.read { connection in
            try connection.query("SELECT * FROM outbox WHERE delivered_at IS NULL ORDER BY id").map { try OutboxRecord($0) }
        }.compactMap(\.pendingEmail?.email)
    default:
        Issue.record("unknown engine \(type(of: engine))")
        return []
    }
}
