import GRDB

extension AppDatabase {
    /// Migration "v8-sign-in": successful sign-ins, counted per account and per client address,
    /// and remembered so that an account's own addresses are known; attempts being checked.
    static func registerSignInMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v8-sign-in") { db in
            try db.execute(sql: """
                -- One row per successful sign-in. `client` is the address nginx saw.
                CREATE TABLE sign_in_success (
                    id INTEGER PRIMARY KEY,
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    client TEXT NOT NULL CHECK (length(client) <= 200),
                    succeeded_at DATETIME NOT NULL
                );
                CREATE INDEX sign_in_success_on_account ON sign_in_success(account_id, succeeded_at);
                CREATE INDEX sign_in_success_on_account_client ON sign_in_success(account_id, client, succeeded_at);
                CREATE INDEX sign_in_success_on_client ON sign_in_success(client, succeeded_at);

                -- Attempts whose password is being checked, counted with the successes so that
                -- concurrent attempts cannot pass the success limit together. No foreign key:
                -- unknown customer IDs are attempted too.
                CREATE TABLE sign_in_pending (
                    id INTEGER PRIMARY KEY,
                    account_id TEXT NOT NULL CHECK (length(account_id) <= 32),
                    client TEXT NOT NULL CHECK (length(client) <= 200),
                    started_at DATETIME NOT NULL
                );
                CREATE INDEX sign_in_pending_on_account ON sign_in_pending(account_id, started_at);
                CREATE INDEX sign_in_pending_on_client ON sign_in_pending(client, started_at);
                """)
        }
    }
}
