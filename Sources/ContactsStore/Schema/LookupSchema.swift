import GRDB

extension AppDatabase {
    /// Migration "v7": the edit page's answers about other accounts, counted per asking account.
    static func registerLookupMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7") { db in
            try db.execute(sql: """
                -- One row per edit-page answer that told the asking account something about an
                -- account other than the service's contacts and itself ("unknown account", "behind
                -- with payments"): repeated, such answers would list customer IDs and arrears.
                CREATE TABLE account_lookup (
                    id INTEGER PRIMARY KEY,
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    looked_up_at DATETIME NOT NULL
                );
                CREATE INDEX account_lookup_on_account ON account_lookup(account_id, looked_up_at);
                """)
        }
    }
}
