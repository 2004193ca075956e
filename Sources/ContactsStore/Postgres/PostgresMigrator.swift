/// Applies the ``PostgresSchema/migrations`` not yet applied, in one transaction (PostgreSQL's DDL
/// is transactional: all or none), under an advisory lock so that hosts starting at the same
/// time do not migrate twice.
enum PostgresMigrator {
    /// Any fixed number: the lock's name among the database's advisory locks.
    static let lockKey = 7_361_024

    static func migrate(_ pool: PostgresPool) throws {
        try pool.transaction { connection in
            try connection.execute("SELECT pg_advisory_xact_lock(\(lockKey))")
            try connection.execute("""
                CREATE TABLE IF NOT EXISTS schema_migration (
                    identifier text COLLATE "C" NOT NULL PRIMARY KEY,
                    applied_order integer NOT NULL UNIQUE,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let applied = Set(try connection.query("SELECT identifier FROM schema_migration").map { try $0.string("identifier") })
            for (order, migration) in PostgresSchema.migrations.enumerated() where !applied.contains(migration.identifier) {
                try connection.execute(migration.sql)
                try connection.query(
                    "INSERT INTO schema_migration (identifier, applied_order) VALUES ($1, $2)",
                    [migration.identifier, order + 1])
            }
        }
    }
}
