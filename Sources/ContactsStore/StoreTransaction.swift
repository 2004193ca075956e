import ContactsDomain
import Foundation
import GRDB

/// One transaction on either engine, for operations whose SQL both engines read as it is
/// (``SharedStatement``): the owner's details, API tokens, the pages' reads. Each engine's
/// request transaction provides it, so such an operation is written once.
protocol StoreTransaction {
    func rows(_ statement: SharedStatement) throws -> [SharedRow]
    /// Runs a statement that returns no rows; answers how many rows it changed.
    @discardableResult
    func execute(_ statement: SharedStatement) throws -> Int
    /// Outbox rows belonging to no request.
    func enqueue(_ emails: [OutgoingEmail], now: Date) throws
}

/// A column that is NULL or of another type than the code reads: a schema and code out of step.
struct UnreadableColumn: Error {
    let column: String
}

/// A row of either engine, read by column name.
enum SharedRow {
    case sqlite(Row)
    case postgres(PostgresRow)

    func string(_ column: String) throws -> String {
        switch self {
        case .sqlite(let row):
            guard let value: String = row[column] else { throw UnreadableColumn(column: column) }
            return value
        case .postgres(let row): return try row.string(column)
        }
    }

    func optionalString(_ column: String) -> String? {
        switch self {
        case .sqlite(let row): row[column]
        case .postgres(let row): row[column]
        }
    }

    func int64(_ column: String) throws -> Int64 {
        switch self {
        case .sqlite(let row):
            guard let value: Int64 = row[column] else { throw UnreadableColumn(column: column) }
            return value
        case .postgres(let row): return try row.int64(column)
        }
    }

    func int(_ column: String) throws -> Int { Int(try int64(column)) }

    func date(_ column: String) throws -> Date {
        guard let date = try optionalDate(column) else { throw UnreadableColumn(column: column) }
        return date
    }

    func optionalDate(_ column: String) throws -> Date? {
        switch self {
        case .sqlite(let row): row[column]
        case .postgres(let row): try row.optionalDate(column)
        }
    }
}

extension SQLiteRequestTransaction: StoreTransaction {
    func rows(_ statement: SharedStatement) throws -> [SharedRow] {
        try Row.fetchAll(db.cachedStatement(sql: statement.sql), arguments: statement.arguments).map(SharedRow.sqlite)
    }

    func execute(_ statement: SharedStatement) throws -> Int {
        try db.cachedStatement(sql: statement.sql).execute(arguments: statement.arguments)
        return db.changesCount
    }

    func enqueue(_ emails: [OutgoingEmail], now: Date) throws {
        try AppDatabase.enqueue(emails, requestID: nil, now: now, db)
    }
}

extension PostgresRequestTransaction: StoreTransaction {
    func rows(_ statement: SharedStatement) throws -> [SharedRow] {
        try connection.query(statement.sql, statement.parameters).map(SharedRow.postgres)
    }

    func execute(_ statement: SharedStatement) throws -> Int {
        try connection.count(statement.sql, statement.parameters)
    }

    func enqueue(_ emails: [OutgoingEmail], now: Date) throws {
        try PostgresStore.enqueue(emails, requestID: nil, now: now, connection)
    }
}

extension AppDatabase {
    /// A read transaction over ``StoreTransaction`` and ``RequestTransaction``, timed.
    func sharedRead<T>(_ body: (SQLiteRequestTransaction) throws -> T) throws -> T {
        try timedRead { db in try body(SQLiteRequestTransaction(db)) }
    }

    /// A write transaction over ``StoreTransaction`` and ``RequestTransaction``, timed and group-committed.
    func sharedWrite<T>(_ body: (SQLiteRequestTransaction) throws -> T) throws -> T {
        try timedWrite { db in try body(SQLiteRequestTransaction(db)) }
    }
}

extension PostgresStore {
    /// A read transaction over ``StoreTransaction`` and ``RequestTransaction``, timed.
    func sharedRead<T>(_ body: (PostgresRequestTransaction) throws -> T) throws -> T {
        try read { connection in try body(PostgresRequestTransaction(connection)) }
    }

    /// A write transaction over ``StoreTransaction`` and ``RequestTransaction``, timed.
    func sharedWrite<T>(_ body: (PostgresRequestTransaction) throws -> T) throws -> T {
        try write { connection in try body(PostgresRequestTransaction(connection)) }
    }
}
