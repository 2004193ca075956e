import GRDB

extension AppDatabase {
    /// Migration "v7": the edit page's answers about other accounts, counted per asking account;
    /// "v8-time-zone": each account's time zone.
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
        migrator.registerMigration("v8-time-zone") { db in
            try db.execute(sql: """
                -- The zone the account reads times in; NULL: its language's (Europe/Warsaw,
                -- Europe/Lisbon, Europe/Rome), so that a change of language moves it too.
                ALTER TABLE account ADD COLUMN time_zone TEXT CHECK (time_zone IS NULL OR length(time_zone) BETWEEN 1 AND 64);
                """)
        }
    }
}
