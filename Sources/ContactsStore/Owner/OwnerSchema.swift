import GRDB

extension AppDatabase {
    /// "v8-owner": each service's owner, pending owner email addresses, and the service's history.
    static func registerOwnerMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v8-owner") { db in
            try db.execute(sql: """
                -- A service's owner (holder). Services created before this migration have none
                -- until the operator sets one (contacts-admin set-owner). `revision` grows with
                -- every change, so a preview made before another change is known to be stale.
                CREATE TABLE service_owner (
                    service_id INTEGER NOT NULL PRIMARY KEY REFERENCES service(id) ON DELETE CASCADE,
                    name TEXT CHECK (name IS NULL OR length(name) BETWEEN 1 AND 200),
                    organisation TEXT CHECK (organisation IS NULL OR length(organisation) BETWEEN 1 AND 200),
                    street TEXT NOT NULL CHECK (length(street) BETWEEN 1 AND 200),
                    postal_code TEXT NOT NULL CHECK (length(postal_code) BETWEEN 5 AND 8
                                                     AND postal_code NOT GLOB '*[^0-9-]*'),
                    city TEXT NOT NULL CHECK (length(city) BETWEEN 1 AND 200),
                    country TEXT NOT NULL CHECK (country IN ('PL', 'PT', 'IT')),
                    phone TEXT NOT NULL CHECK (length(phone) BETWEEN 9 AND 16
                                               AND phone GLOB '+[1-9]*' AND substr(phone, 2) NOT GLOB '*[^0-9]*'),
                    email TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email GLOB '?*@?*'),
                    revision INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),
                    CHECK (name IS NOT NULL OR organisation IS NOT NULL)
                ) WITHOUT ROWID;

                -- A new owner email address waits here until the link sent to it is followed;
                -- only the token's SHA-256 is kept. One pending address per service: a later
                -- update replaces it.
                CREATE TABLE owner_email_change (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    service_id INTEGER NOT NULL REFERENCES service(id) ON DELETE CASCADE,
                    new_email TEXT NOT NULL
                        CHECK (length(new_email) BETWEEN 3 AND 254 AND new_email GLOB '?*@?*'),
                    token_digest TEXT NOT NULL UNIQUE
                        CHECK (length(token_digest) = 64 AND token_digest NOT GLOB '*[^0-9a-f]*'),
                    requested_by TEXT NOT NULL REFERENCES account(id),
                    created_at DATETIME NOT NULL,
                    expires_at DATETIME NOT NULL CHECK (expires_at > created_at),
                    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'confirmed', 'replaced')),
                    decided_at DATETIME,
                    CHECK ((state = 'pending') = (decided_at IS NULL))
                );
                CREATE UNIQUE INDEX owner_email_change_one_pending ON owner_email_change(service_id)
                    WHERE state = 'pending';

                -- What happened to a service other than contact requests: who (NULL for the
                -- operator or the owner's own link), when, and which fields.
                CREATE TABLE service_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    service_id INTEGER NOT NULL REFERENCES service(id) ON DELETE CASCADE,
                    at DATETIME NOT NULL,
                    actor TEXT REFERENCES account(id),
                    kind TEXT NOT NULL CHECK (kind IN ('owner_set', 'owner_updated', 'owner_email_confirmed')),
                    fields TEXT NOT NULL CHECK (fields NOT GLOB '*[^a-z_,]*')
                );
                CREATE INDEX service_event_on_service ON service_event(service_id, at);
                """)
        }
    }
}
