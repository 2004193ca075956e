import Foundation
import GRDB

/// What ``PostgresStore/copy(from:)`` moved: rows per table, the same on both sides.
public struct CopyCounts: Sendable, Equatable {
    public var rows: [(table: String, count: Int)]

    public static func == (lhs: CopyCounts, rhs: CopyCounts) -> Bool {
        lhs.rows.map(\.table) == rhs.rows.map(\.table) && lhs.rows.map(\.count) == rhs.rows.map(\.count)
    }
}

public enum CopyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The target already holds accounts or services: a copy starts from an empty database.
    case targetNotEmpty
    /// After the copy a table's count differs (nothing was committed).
    case countMismatch(table: String, source: Int, target: Int)
    /// The target has a table this copy does not know: copying would leave it behind.
    case unknownTable(String)
    /// A SQLite column the PostgreSQL table lacks: its values would be lost.
    case unknownColumn(table: String, column: String)

    public var description: String {
        switch self {
        case .targetNotEmpty: "the PostgreSQL database already holds accounts or services; copy into an empty one"
        case .countMismatch(let table, let source, let target): "\(table): \(source) rows in SQLite, \(target) in PostgreSQL"
        case .unknownTable(let table): "the PostgreSQL database has a table \(table) that the copy does not know"
        case .unknownColumn(let table, let column): "SQLite's \(table).\(column) has no place in PostgreSQL's schema"
        }
    }
}

extension PostgresStore {
    /// The stored tables in the order of their foreign keys. The derived ones (the contacts
    /// table's membership rows and per-account counts) are rebuilt by the target's triggers;
    /// `service_type` is the schema's own.
    static let copiedTables = [
        "account", "api_token", "session", "sign_in_failure", "sign_in_success", "sign_in_pending", "account_lookup",
        "email_change", "account_email_history", "service", "service_owner", "owner_email_change", "service_event",
        "change_request", "change_request_role", "confirmation", "code_failure", "request_event", "outbox",
    ]
    static let derivedTables: Set<String> = ["service_membership", "account_service_count", "service_type", "schema_migration"]

    /// Moves a SQLite installation into this (empty, migrated) database in one transaction:
    /// every row of every stored table, with its IDs, then the identities moved past them, the
    /// derived rows rebuilt, and every table counted on both sides. All or nothing.
    /// - Throws: ``CopyError``; the target is unchanged then.
    @discardableResult
    public func copy(from source: AppDatabase) throws -> CopyCounts {
        try pool.transaction { connection in
            // A large installation takes longer than one statement's usual limit.
            try connection.execute("SET LOCAL statement_timeout = 0; SET LOCAL contacts.bulk_load = 'on'")
            let known = Set(Self.copiedTables).union(Self.derivedTables)
            for row in try connection.query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'") {
                let table = try row.string("table_name")
                guard known.contains(table) else { throw CopyError.unknownTable(table) }
            }
            let occupied = try connection.query(
                "SELECT (SELECT count(*) FROM account) + (SELECT count(*) FROM service) AS n")[0].int("n")
            guard occupied == 0 else { throw CopyError.targetNotEmpty }

            var counts: [(String, Int)] = []
            try source.dbPool.read { db in
                for table in Self.copiedTables {
                    let targetColumns = try connection.query("""
                        SELECT column_name FROM information_schema.columns
                        WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position
                        """, [table]).map { try $0.string("column_name") }
                    let sourceColumns = try db.columns(in: table).map(\.name)
                    if let lost = sourceColumns.first(where: { !targetColumns.contains($0) }) {
                        throw CopyError.unknownColumn(table: table, column: lost)
                    }
                    let columns = targetColumns.filter(sourceColumns.contains)
                    let placeholders = columns.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
                    let insert = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))"
                    // Rows the target's triggers made while earlier tables were copied (an account's
                    // first address in its history) make way for the source's own.
                    try connection.execute("DELETE FROM \(table)")
                    let rows = try Row.fetchCursor(db, sql: "SELECT \(columns.joined(separator: ", ")) FROM \(table)")
                    var copied = 0
                    while let row = try rows.next() {
                        try connection.query(insert, columns.map { Self.text(of: row[$0] as DatabaseValue) })
                        copied += 1
                    }
                    counts.append((table, copied))
                }
            }
            try connection.execute("SET LOCAL contacts.bulk_load = 'off'")
            try connection.execute("""
                INSERT INTO account_service_count (account_id, services)
                SELECT account_id, count(*) FROM service_membership GROUP BY account_id
                """)
            for table in Self.copiedTables {
                let hasIdentity = try !connection.query("""
                    SELECT 1 FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id' AND is_identity = 'YES'
                    """, [table]).isEmpty
                if hasIdentity {
                    try connection.execute("""
                        SELECT setval(pg_get_serial_sequence('\(table)', 'id'), coalesce((SELECT max(id) FROM \(table)), 0) + 1, false)
                        """)
                }
            }
            for (table, count) in counts {
                let stored = try connection.query("SELECT count(*) AS n FROM \(table)")[0].int("n")
                guard stored == count else { throw CopyError.countMismatch(table: table, source: count, target: stored) }
            }
            return CopyCounts(rows: counts)
        }
    }

    /// A SQLite value as PostgreSQL's text input: integers and reals as digits, texts (GRDB's
    /// dates among them, "YYYY-MM-DD HH:MM:SS.SSS" in UTC, read in the session's UTC) as they are.
    private static func text(of value: DatabaseValue) -> String? {
        switch value.storage {
        case .null: nil
        case .int64(let integer): String(integer)
        case .double(let real): String(real)
        case .string(let text): text
        case .blob(let data): "\\x" + data.map { String(format: "%02x", $0) }.joined()
        }
    }
}
