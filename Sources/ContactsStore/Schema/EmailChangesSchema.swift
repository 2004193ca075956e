import GRDB

extension AppDatabase {
    /// "v6": pending email address changes, and the history of every account's addresses.
    static func registerEmailChangesMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6") { db in
            try db.execute(sql: """
                -- A new email address waits here until the link sent to it is followed. The
                -- token itself is never stored, only its SHA-256. At most one pending change per
                -- account: asking again marks the older one replaced.
                CREATE TABLE email_change (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    new_email TEXT NOT NULL
                        CHECK (length(new_email) BETWEEN 3 AND 254 AND new_email GLOB '?*@?*'),
                    token_digest TEXT NOT NULL UNIQUE
                        CHECK (length(token_digest) = 64 AND token_digest NOT GLOB '*[^0-9a-f]*'),
                    created_at DATETIME NOT NULL,
                    expires_at DATETIME NOT NULL CHECK (expires_at > created_at),
                    state TEXT NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'confirmed', 'cancelled', 'replaced')),
                    decided_at DATETIME,
                    CHECK ((state = 'pending') = (decided_at IS NULL))
                );
                CREATE UNIQUE INDEX email_change_one_pending ON email_change(account_id)
                    WHERE state = 'pending';

                -- Every address an account has had, with when it was in force; `valid_until` is
                -- NULL for the current one. Filled for existing accounts from their creation.
                CREATE TABLE account_email_history (
                    id INTEGER PRIMARY KEY,
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    address TEXT NOT NULL CHECK (length(address) BETWEEN 3 AND 254),
                    valid_from DATETIME NOT NULL,
                    valid_until DATETIME CHECK (valid_until IS NULL OR valid_until >= valid_from)
                );
                CREATE INDEX account_email_history_on_account
                    ON account_email_history(account_id, valid_from);
                CREATE UNIQUE INDEX account_email_history_one_current
                    ON account_email_history(account_id) WHERE valid_until IS NULL;

                INSERT INTO account_email_history (account_id, address, valid_from, valid_until)
                SELECT id, email, created_at, NULL FROM account;

                -- A new account's first address, however the account is created (the store,
                -- the operator's bulk load).
                CREATE TRIGGER account_email_history_after_account_insert
                AFTER INSERT ON account
                BEGIN
                    INSERT INTO account_email_history (account_id, address, valid_from, valid_until)
                    VALUES (NEW.id, NEW.email, NEW.created_at, NULL);
                END;
                """)
        }
    }
}
