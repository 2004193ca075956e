import GRDB

extension AppDatabase {
    /// Migration "v2": contact change requests, their confirmations and history, and the outbox
    /// of emails. Frozen once shipped, like "v1": literal names only, never edited afterwards.
    ///
    /// Invariants SQLite keeps for us:
    /// - a finished request (anything but `waiting`) never changes state again, and has a
    ///   `decided_at`; an open one has none;
    /// - at most one open request per service and role: `change_request_role` repeats the
    ///   request's service (composite foreign key, so it cannot disagree) and an `open` flag that
    ///   follows the request's state (triggers), under a unique partial index;
    /// - codes are stored only as SHA-256 hex digests;
    /// - a delivered email keeps no body (codes do not linger once sent); subjects and addresses
    ///   never contain line breaks, so nothing can be injected into a mail header.
    static func registerRequestsMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                -- One request to move one or more roles of a service from one account to another.
                -- `decided_at` is when it left `waiting` (for an expiry: the end of its window).
                -- `failure_reason` says which rule no longer held when a request failed.
                CREATE TABLE change_request (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    service_id INTEGER NOT NULL REFERENCES service(id) ON DELETE CASCADE,
                    from_account TEXT NOT NULL REFERENCES account(id),
                    to_account TEXT NOT NULL REFERENCES account(id),
                    requester TEXT NOT NULL REFERENCES account(id),
                    state TEXT NOT NULL
                        CHECK (state IN ('waiting', 'done', 'refused', 'expired', 'cancelled', 'failed')),
                    requested_at DATETIME NOT NULL,
                    decided_at DATETIME,
                    expires_at DATETIME NOT NULL,
                    last_resent_at DATETIME,
                    failure_reason TEXT CHECK (failure_reason IN ('payment', 'holders_changed')),
                    CHECK (from_account <> to_account),
                    CHECK (expires_at > requested_at),
                    CHECK ((state = 'waiting') = (decided_at IS NULL)),
                    CHECK ((state = 'failed') = (failure_reason IS NOT NULL))
                );
                -- The parent key of change_request_role's composite foreign key.
                CREATE UNIQUE INDEX change_request_on_id_service ON change_request(id, service_id);
                CREATE INDEX change_request_on_service ON change_request(service_id);
                CREATE INDEX change_request_on_requester ON change_request(requester, requested_at);
                CREATE INDEX change_request_on_from ON change_request(from_account, requested_at);
                CREATE INDEX change_request_on_to ON change_request(to_account, requested_at);
                CREATE INDEX change_request_waiting_by_expiry ON change_request(expires_at)
                    WHERE state = 'waiting';

                CREATE TRIGGER change_request_finished_stays_finished
                BEFORE UPDATE OF state ON change_request
                WHEN OLD.state <> 'waiting' AND NEW.state IS NOT OLD.state
                BEGIN
                    SELECT RAISE(ABORT, 'a finished request cannot change state');
                END;

                CREATE TRIGGER change_request_identity_is_fixed
                BEFORE UPDATE OF id, service_id, from_account, to_account, requester ON change_request
                WHEN NEW.id IS NOT OLD.id OR NEW.service_id IS NOT OLD.service_id
                  OR NEW.from_account IS NOT OLD.from_account OR NEW.to_account IS NOT OLD.to_account
                  OR NEW.requester IS NOT OLD.requester
                BEGIN
                    SELECT RAISE(ABORT, 'a request cannot be moved to another service or account');
                END;

                -- The roles a request covers. `service_id` and `open` repeat the request's service
                -- and whether it is waiting, so that a unique partial index can allow one open
                -- request per service and role.
                CREATE TABLE change_request_role (
                    request_id INTEGER NOT NULL,
                    service_id INTEGER NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('admin', 'tech', 'billing')),
                    open INTEGER NOT NULL CHECK (open IN (0, 1)),
                    PRIMARY KEY (request_id, role),
                    FOREIGN KEY (request_id, service_id)
                        REFERENCES change_request(id, service_id) ON DELETE CASCADE
                ) WITHOUT ROWID;
                CREATE UNIQUE INDEX change_request_role_one_open
                    ON change_request_role(service_id, role) WHERE open = 1;

                CREATE TRIGGER change_request_role_open_follows_state
                AFTER UPDATE OF state ON change_request
                BEGIN
                    UPDATE change_request_role SET open = (NEW.state = 'waiting') WHERE request_id = NEW.id;
                END;

                CREATE TRIGGER change_request_role_insert_matches_state
                BEFORE INSERT ON change_request_role
                WHEN NEW.open IS NOT (SELECT state = 'waiting' FROM change_request WHERE id = NEW.request_id)
                BEGIN
                    SELECT RAISE(ABORT, 'open must follow the state of the request');
                END;

                CREATE TRIGGER change_request_role_update_matches_state
                BEFORE UPDATE OF open ON change_request_role
                WHEN NEW.open IS NOT (SELECT state = 'waiting' FROM change_request WHERE id = NEW.request_id)
                BEGIN
                    SELECT RAISE(ABORT, 'open must follow the state of the request');
                END;

                -- One row per required confirmer. The code itself is never stored: only its
                -- SHA-256 hex digest. A resend replaces the digest, which voids the old code.
                CREATE TABLE confirmation (
                    request_id INTEGER NOT NULL REFERENCES change_request(id) ON DELETE CASCADE,
                    confirmer TEXT NOT NULL REFERENCES account(id),
                    code_digest TEXT NOT NULL
                        CHECK (length(code_digest) = 64 AND code_digest NOT GLOB '*[^0-9a-f]*'),
                    accepted_at DATETIME,
                    PRIMARY KEY (request_id, confirmer)
                ) WITHOUT ROWID;
                CREATE INDEX confirmation_on_confirmer ON confirmation(confirmer);

                -- Wrong codes typed for a request, per account: repeated ones are slowed down.
                CREATE TABLE code_failure (
                    id INTEGER PRIMARY KEY,
                    request_id INTEGER NOT NULL REFERENCES change_request(id) ON DELETE CASCADE,
                    account TEXT NOT NULL REFERENCES account(id),
                    failed_at DATETIME NOT NULL
                );
                CREATE INDEX code_failure_on_request_account ON code_failure(request_id, account, failed_at);

                -- The history of a request. `actor` is who acted (the recipient for email_sent);
                -- NULL when nobody did (expiry, the change taking effect or failing).
                CREATE TABLE request_event (
                    id INTEGER PRIMARY KEY,
                    request_id INTEGER NOT NULL REFERENCES change_request(id) ON DELETE CASCADE,
                    at DATETIME NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN (
                        'requested', 'email_sent', 'accepted', 'refused', 'expired',
                        'cancelled', 'done', 'failed', 'resent')),
                    actor TEXT REFERENCES account(id)
                );
                CREATE INDEX request_event_on_request ON request_event(request_id, at);

                -- Emails waiting for (or past) delivery, written in the same transaction as the
                -- change that causes them. The rendered body (it may hold a code) is kept only
                -- until delivery; then it is erased.
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    request_id INTEGER REFERENCES change_request(id) ON DELETE SET NULL,
                    recipient TEXT NOT NULL REFERENCES account(id),
                    to_address TEXT NOT NULL
                        CHECK (length(to_address) BETWEEN 3 AND 254 AND to_address GLOB '?*@?*'
                               AND instr(to_address, char(10)) = 0 AND instr(to_address, char(13)) = 0),
                    language TEXT NOT NULL CHECK (language IN ('pl', 'pt', 'it')),
                    subject TEXT NOT NULL
                        CHECK (length(subject) BETWEEN 1 AND 900
                               AND instr(subject, char(10)) = 0 AND instr(subject, char(13)) = 0),
                    body_text TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    next_attempt_at DATETIME NOT NULL,
                    delivered_at DATETIME,
                    last_error TEXT,
                    CHECK (delivered_at IS NULL OR body_text = '')
                );
                CREATE INDEX outbox_pending ON outbox(next_attempt_at, id) WHERE delivered_at IS NULL;
                CREATE INDEX outbox_on_request ON outbox(request_id);
                """)
        }
    }
}
