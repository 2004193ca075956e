import GRDB

extension AppDatabase {
    /// Migration "v10-api-tokens": personal API tokens. Only the SHA-256 of a token is stored;
    /// the token itself is shown once when it is made.
    static func registerAPITokensMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v10-api-tokens") { db in
            try db.execute(sql: """
                CREATE TABLE api_token (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
                    scope TEXT NOT NULL CHECK (scope IN ('read-only', 'read-write')),
                    digest TEXT NOT NULL UNIQUE
                        CHECK (length(digest) = 64 AND digest NOT GLOB '*[^0-9a-f]*'),
                    created_at DATETIME NOT NULL,
                    expires_at DATETIME NOT NULL CHECK (expires_at > created_at),
                    last_used_at DATETIME,
                    revoked_at DATETIME
                );
                CREATE INDEX api_token_on_account ON api_token(account_id, id);
                """)
        }
    }
}
