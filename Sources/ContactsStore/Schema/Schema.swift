import GRDB

extension AppDatabase {
    /// The schema's history. Migrations are frozen once shipped: never edit one, add the next.
    /// Tables and columns are named with literals so that later code changes can never alter
    /// what an old migration does.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                -- Customer accounts. `id` is the customer ID in its stored, lower-case form.
                CREATE TABLE account (
                    id TEXT NOT NULL PRIMARY KEY
                        CHECK (length(id) <= 32
                               AND id GLOB '[a-z][a-z][0-9]*-ovh'
                               AND substr(id, 3, length(id) - 6) NOT GLOB '*[^0-9]*'),
                    display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
                    email TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email GLOB '?*@?*'),
                    language TEXT NOT NULL CHECK (language IN ('pl', 'pt', 'it')),
                    payment_status TEXT NOT NULL CHECK (payment_status IN ('up_to_date', 'overdue')),
                    password_hash TEXT NOT NULL CHECK (length(password_hash) > 0),
                    created_at DATETIME NOT NULL
                ) WITHOUT ROWID;

                -- Kinds of service, and their order when the contacts table is sorted by type.
                -- A new kind is a row added by a later migration.
                CREATE TABLE service_type (
                    code TEXT NOT NULL PRIMARY KEY,
                    position INTEGER NOT NULL UNIQUE
                );
                INSERT INTO service_type (code, position) VALUES
                    ('domain', 1), ('hosting', 2), ('vps', 3),
                    ('dedicated', 4), ('email', 5), ('database', 6);

                -- Services, each with exactly one account in each of the three roles.
                CREATE TABLE service (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 255),
                    type TEXT NOT NULL REFERENCES service_type(code),
                    admin_id TEXT NOT NULL REFERENCES account(id),
                    tech_id TEXT NOT NULL REFERENCES account(id),
                    billing_id TEXT NOT NULL REFERENCES account(id)
                );
                CREATE UNIQUE INDEX service_on_type_name ON service(type, name);

                -- One row per (account, service) where the account holds at least one role: the
                -- "My contacts" table of every account, kept in sort order by the indexes below.
                -- Derived data, written only by the triggers on `service`, so it cannot drift.
                -- The indexes carry the role flags so that role filters and counts read the
                -- index alone.
                CREATE TABLE service_membership (
                    account_id TEXT NOT NULL,
                    service_id INTEGER NOT NULL,
                    service_name TEXT NOT NULL COLLATE NOCASE,
                    type_position INTEGER NOT NULL,
                    is_admin INTEGER NOT NULL CHECK (is_admin IN (0, 1)),
                    is_tech INTEGER NOT NULL CHECK (is_tech IN (0, 1)),
                    is_billing INTEGER NOT NULL CHECK (is_billing IN (0, 1)),
                    CHECK (is_admin + is_tech + is_billing > 0),
                    PRIMARY KEY (account_id, service_id)
                ) WITHOUT ROWID;
                CREATE INDEX service_membership_on_name ON service_membership(
                    account_id, service_name, service_id, is_admin, is_tech, is_billing);
                CREATE INDEX service_membership_on_type ON service_membership(
                    account_id, type_position, service_name, service_id, is_admin, is_tech, is_billing);

                CREATE TRIGGER service_membership_after_service_insert
                AFTER INSERT ON service
                BEGIN
                    INSERT INTO service_membership
                        (account_id, service_id, service_name, type_position, is_admin, is_tech, is_billing)
                    SELECT holder, NEW.id, NEW.name,
                           (SELECT position FROM service_type WHERE code = NEW.type),
                           max(admin), max(tech), max(billing)
                    FROM (SELECT NEW.admin_id AS holder, 1 AS admin, 0 AS tech, 0 AS billing
                          UNION ALL SELECT NEW.tech_id, 0, 1, 0
                          UNION ALL SELECT NEW.billing_id, 0, 0, 1)
                    GROUP BY holder;
                END;

                CREATE TRIGGER service_membership_after_service_update
                AFTER UPDATE OF id, name, type, admin_id, tech_id, billing_id ON service
                BEGIN
                    DELETE FROM service_membership
                    WHERE account_id IN (OLD.admin_id, OLD.tech_id, OLD.billing_id)
                      AND service_id = OLD.id;
                    INSERT INTO service_membership
                        (account_id, service_id, service_name, type_position, is_admin, is_tech, is_billing)
                    SELECT holder, NEW.id, NEW.name,
                           (SELECT position FROM service_type WHERE code = NEW.type),
                           max(admin), max(tech), max(billing)
                    FROM (SELECT NEW.admin_id AS holder, 1 AS admin, 0 AS tech, 0 AS billing
                          UNION ALL SELECT NEW.tech_id, 0, 1, 0
                          UNION ALL SELECT NEW.billing_id, 0, 0, 1)
                    GROUP BY holder;
                END;

                CREATE TRIGGER service_membership_after_service_delete
                AFTER DELETE ON service
                BEGIN
                    DELETE FROM service_membership
                    WHERE account_id IN (OLD.admin_id, OLD.tech_id, OLD.billing_id)
                      AND service_id = OLD.id;
                END;

                -- Signed-in sessions, keyed by the SHA-256 digest of the secret in the cookie:
                -- the secret itself is never stored.
                CREATE TABLE session (
                    digest TEXT NOT NULL PRIMARY KEY
                        CHECK (length(digest) = 64 AND digest NOT GLOB '*[^0-9a-f]*'),
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    created_at DATETIME NOT NULL,
                    last_seen_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX session_on_account ON session(account_id);

                -- Failed sign-ins, one row per throttling key ("id:aa1-ovh", "ip:192.0.2.1").
                CREATE TABLE sign_in_failure (
                    id INTEGER PRIMARY KEY,
                    key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
                    failed_at DATETIME NOT NULL
                );
                CREATE INDEX sign_in_failure_on_key ON sign_in_failure(key, failed_at);
                """)
        }

        registerRequestsMigration(&migrator)

        // "v2" is the change requests' migration (RequestsSchema.swift), registered before this
        // one by `registerRequestsMigration(&migrator)` once it lands. GRDB runs an unapplied
        // migration even when a later one is applied, so a database that got "v3" first still
        // gets "v2".

        // The contacts table's text filter reads one column of the membership row instead of
        // looking up the service and three accounts per row (measured: about 10x faster on an
        // account with 50,000 services). `search_text` is the service name and each contact's
        // customer ID and display name, one per line, lower-cased by SQLite's lower() (ASCII
        // letters; the query folds other letters itself). Triggers keep it exact: on service
        // writes, and on a display name change, which rewrites the services of that contact.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                ALTER TABLE service_membership ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

                UPDATE service_membership SET search_text = (
                    SELECT lower(s.name
                                 || char(10) || s.admin_id || char(10) || aa.display_name
                                 || char(10) || s.tech_id || char(10) || ta.display_name
                                 || char(10) || s.billing_id || char(10) || ba.display_name)
                    FROM service s
                    JOIN account aa ON aa.id = s.admin_id
                    JOIN account ta ON ta.id = s.tech_id
                    JOIN account ba ON ba.id = s.billing_id
                    WHERE s.id = service_membership.service_id);

                DROP TRIGGER service_membership_after_service_insert;
                DROP TRIGGER service_membership_after_service_update;

                CREATE TRIGGER service_membership_after_service_insert
                AFTER INSERT ON service
                BEGIN
                    INSERT INTO service_membership
                        (account_id, service_id, service_name, type_position,
                         is_admin, is_tech, is_billing, search_text)
                    SELECT holder, NEW.id, NEW.name,
                           (SELECT position FROM service_type WHERE code = NEW.type),
                           max(admin), max(tech), max(billing),
                           lower(NEW.name
                                 || char(10) || NEW.admin_id || char(10)
                                 || coalesce((SELECT display_name FROM account WHERE id = NEW.admin_id), '')
                                 || char(10) || NEW.tech_id || char(10)
                                 || coalesce((SELECT display_name FROM account WHERE id = NEW.tech_id), '')
                                 || char(10) || NEW.billing_id || char(10)
                                 || coalesce((SELECT display_name FROM account WHERE id = NEW.billing_id), ''))
                    FROM (SELECT NEW.admin_id AS holder, 1 AS admin, 0 AS tech, 0 AS billing
                          UNION ALL SELECT NEW.tech_id, 0, 1, 0
                          UNION ALL SELECT NEW.billing_id, 0, 0, 1)
                    GROUP BY holder;
                END;

                CREATE TRIGGER service_membership_after_service_update
                AFTER UPDATE OF id, name, type, admin_id, tech_id, billing_id ON service
                BEGIN
                    DELETE FROM service_membership
                    WHERE account_id IN (OLD.admin_id, OLD.tech_id, OLD.billing_id)
                      AND service_id = OLD.id;
                    INSERT INTO service_membership
                        (account_id, service_id, service_name, type_position,
                         is_admin, is_tech, is_billing, search_text)
                    SELECT holder, NEW.id, NEW.name,
                           (SELECT position FROM service_type WHERE code = NEW.type),
                           max(admin), max(tech), max(billing),
                           lower(NEW.name
                                 || char(10) || NEW.admin_id || char(10)
                                 || coalesce((SELECT display_name FROM account WHERE id = NEW.admin_id), '')
                                 || char(10) || NEW.tech_id || char(10)
                                 || coalesce((SELECT display_name FROM account WHERE id = NEW.tech_id), '')
                                 || char(10) || NEW.billing_id || char(10)
                                 || coalesce((SELECT display_name FROM account WHERE id = NEW.billing_id), ''))
                    FROM (SELECT NEW.admin_id AS holder, 1 AS admin, 0 AS tech, 0 AS billing
                          UNION ALL SELECT NEW.tech_id, 0, 1, 0
                          UNION ALL SELECT NEW.billing_id, 0, 0, 1)
                    GROUP BY holder;
                END;

                -- A new display name reaches every service the account is a contact of: the
                -- no-op update fires the service trigger above, which rebuilds their rows.
                CREATE TRIGGER service_membership_after_account_rename
                AFTER UPDATE OF display_name ON account
                BEGIN
                    UPDATE service SET name = name
                    WHERE id IN (SELECT service_id FROM service_membership WHERE account_id = NEW.id);
                END;
                """)
        }

        // The search text folds the accented capitals of Polish, Portuguese and Italian (and a
        // few neighbours) too, so that a needle like "ŁÓDŹ" is a plain literal pattern: GLOB
        // with a `[łŁ]` class per letter costs about 5x more per row. The letter list is part
        // of this migration; the query folds needles with the same list (SearchFolding.swift).
        // The text is defined once, by a view the triggers read; two views, because SQLite's
        // parser cannot nest 32 replace() calls in one statement.
        migrator.registerMigration("v4") { db in
            let capitals: [(String, String)] = [
                ("À", "à"), ("Á", "á"), ("Â", "â"), ("Ã", "ã"), ("Ä", "ä"), ("Ç", "ç"), ("È", "è"),
                ("É", "é"), ("Ê", "ê"), ("Ë", "ë"), ("Ì", "ì"), ("Í", "í"), ("Î", "î"), ("Ï", "ï"),
                ("Ñ", "ñ"), ("Ò", "ò"), ("Ó", "ó"), ("Ô", "ô"), ("Õ", "õ"), ("Ö", "ö"), ("Ù", "ù"),
                ("Ú", "ú"), ("Û", "û"), ("Ü", "ü"), ("Ą", "ą"), ("Ć", "ć"), ("Ę", "ę"), ("Ł", "ł"),
                ("Ń", "ń"), ("Ś", "ś"), ("Ź", "ź"), ("Ż", "ż"),
            ]
            func fold(_ expression: String, _ letters: ArraySlice<(String, String)>) -> String {
                letters.reduce(expression) { "replace(\($0), '\($1.0)', '\($1.1)')" }
            }
            let insertMembership = """
                INSERT INTO service_membership
                    (account_id, service_id, service_name, type_position,
                     is_admin, is_tech, is_billing, search_text)
                SELECT holder, NEW.id, NEW.name,
                       (SELECT position FROM service_type WHERE code = NEW.type),
                       max(admin), max(tech), max(billing),
                       (SELECT search_text FROM service_search_text WHERE service_id = NEW.id)
                FROM (SELECT NEW.admin_id AS holder, 1 AS admin, 0 AS tech, 0 AS billing
                      UNION ALL SELECT NEW.tech_id, 0, 1, 0
                      UNION ALL SELECT NEW.billing_id, 0, 0, 1)
                GROUP BY holder;
                """
            try db.execute(sql: """
                -- The service name and each contact's customer ID and display name, one per
                -- line, folded. LEFT JOINs: an unknown contact must fail on its foreign key, not
                -- on a missing text.
                CREATE VIEW service_search_text_half_folded AS
                SELECT s.id AS service_id,
                       \(fold("""
                           lower(s.name
                                 || char(10) || s.admin_id || char(10) || coalesce(aa.display_name, '')
                                 || char(10) || s.tech_id || char(10) || coalesce(ta.display_name, '')
                                 || char(10) || s.billing_id || char(10) || coalesce(ba.display_name, ''))
                           """, capitals[..<16])) AS text
                FROM service s
                LEFT JOIN account aa ON aa.id = s.admin_id
                LEFT JOIN account ta ON ta.id = s.tech_id
                LEFT JOIN account ba ON ba.id = s.billing_id;

                CREATE VIEW service_search_text AS
                SELECT service_id, \(fold("text", capitals[16...])) AS search_text
                FROM service_search_text_half_folded;

                UPDATE service_membership SET search_text = (
                    SELECT v.search_text FROM service_search_text v
                    WHERE v.service_id = service_membership.service_id);

                DROP TRIGGER service_membership_after_service_insert;
                DROP TRIGGER service_membership_after_service_update;

                CREATE TRIGGER service_membership_after_service_insert
                AFTER INSERT ON service
                BEGIN
                    \(insertMembership)
                END;

                CREATE TRIGGER service_membership_after_service_update
                AFTER UPDATE OF id, name, type, admin_id, tech_id, billing_id ON service
                BEGIN
                    DELETE FROM service_membership
                    WHERE account_id IN (OLD.admin_id, OLD.tech_id, OLD.billing_id)
                      AND service_id = OLD.id;
                    \(insertMembership)
                END;
                """)
        }

        migrator.registerMigration("v5") { db in
            try db.execute(sql: """
                -- How many services each account holds a role on: the contacts table's
                -- unfiltered count, kept by the membership's own triggers rather than counted
                -- from the account's index range on every page (3 ms for 50,000 services).
                CREATE TABLE account_service_count (
                    account_id TEXT NOT NULL PRIMARY KEY REFERENCES account(id) ON DELETE CASCADE,
                    services INTEGER NOT NULL CHECK (services >= 0)
                ) WITHOUT ROWID;

                INSERT INTO account_service_count (account_id, services)
                SELECT account_id, count(*) FROM service_membership GROUP BY account_id;

                CREATE TRIGGER account_service_count_after_membership_insert
                AFTER INSERT ON service_membership
                BEGIN
                    INSERT INTO account_service_count (account_id, services) VALUES (NEW.account_id, 1)
                    ON CONFLICT (account_id) DO UPDATE SET services = services + 1;
                END;

                CREATE TRIGGER account_service_count_after_membership_delete
                AFTER DELETE ON service_membership
                BEGIN
                    UPDATE account_service_count SET services = services - 1
                    WHERE account_id = OLD.account_id;
                END;

                CREATE TRIGGER account_service_count_after_membership_move
                AFTER UPDATE OF account_id ON service_membership
                BEGIN
                    UPDATE account_service_count SET services = services - 1
                    WHERE account_id = OLD.account_id;
                    INSERT INTO account_service_count (account_id, services) VALUES (NEW.account_id, 1)
                    ON CONFLICT (account_id) DO UPDATE SET services = services + 1;
                END;
                """)
        }

        registerEmailChangesMigration(&migrator)

        // Later migrations go here, after the frozen ones.
        registerLookupMigration(&migrator)
        registerSignInMigration(&migrator)
        registerOwnerMigration(&migrator)
        registerOutboxGiveUpMigration(&migrator)
        registerAPITokensMigration(&migrator)

        return migrator
    }
}
