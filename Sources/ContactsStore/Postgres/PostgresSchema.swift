/// PostgreSQL's schema history, frozen like SQLite's (`Schema/`): never edit a shipped
/// migration, append the next. "pg-v1" is the meaning of SQLite's v1...v9-outbox-give-up at
/// once (there were no PostgreSQL installations before it), with the same invariants kept by
/// the database: NOT NULL, CHECKs, foreign keys, one open request per service and role, the
/// derived membership rows, search text and per-account service count, kept by triggers.
///
/// Collation: every text that is sorted or compared is compared byte-wise (`COLLATE "C"`), as
/// SQLite does, so that both engines page through the contacts table in the same order. Case
/// folding is ASCII-only where SQLite's NOCASE and lower() are, and the search text folds the
/// same 32 accented capitals as SQLite's v4 (SearchFolding.swift).
enum PostgresSchema {
    static let migrations: [(identifier: String, sql: String)] = [
        ("pg-v1", PostgresSchemaV1.functions + PostgresSchemaV1.accounts + PostgresSchemaV1.services
            + PostgresSchemaV1.requests + PostgresSchemaV1.outbox + PostgresSchemaV1.owners),
    ]
}
