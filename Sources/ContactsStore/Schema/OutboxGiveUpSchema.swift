import GRDB

extension AppDatabase {
    /// Migration "v9-outbox-give-up": an email that kept failing is given up rather than
    /// retried for ever; it keeps its row and error until an operator retries it.
    static func registerOutboxGiveUpMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v9-outbox-give-up") { db in
            try db.execute(sql: """
                -- The first failed attempt since the email was written (or last retried by an
                -- operator): the give-up clock starts there.
                ALTER TABLE outbox ADD COLUMN first_failed_at DATETIME;
                -- Set when delivery stopped trying; an undelivered row with it is not pending.
                ALTER TABLE outbox ADD COLUMN given_up_at DATETIME
                    CHECK (given_up_at IS NULL OR delivered_at IS NULL);

                -- The due rows are the undelivered ones not given up.
                DROP INDEX outbox_pending;
                CREATE INDEX outbox_pending ON outbox(next_attempt_at, id)
                    WHERE delivered_at IS NULL AND given_up_at IS NULL;
                CREATE INDEX outbox_given_up ON outbox(given_up_at, id) WHERE given_up_at IS NOT NULL;
                """)
        }
    }
}
