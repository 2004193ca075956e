import ContactsDomain
import Foundation

// Sessions on PostgreSQL: stored, so a session made through one app host works on every host.

extension PostgresStore {
    /// Records a new session for `account`, created and last seen `now`.
    /// - Throws: ``StoreError/unknownAccount``.
    public func createSession(digest: String, account: CustomerID, now: Date) throws {
        _ = try createSession(digest: digest, account: account, now: now, limit: nil)
    }

    /// Records a new session for `account` and, in the same transaction, ends the sessions
    /// `limit` picks to make room for it. Returns the digests of the sessions ended.
    /// - Throws: ``StoreError/unknownAccount``.
    @discardableResult
    public func createSession(digest: String, account: CustomerID, now: Date, limit: SessionLimit) throws -> [String] {
        try createSession(digest: digest, account: account, now: now, limit: .some(limit))
    }

    private func createSession(digest: String, account: CustomerID, now: Date, limit: SessionLimit?) throws -> [String] {
        try write { connection in
            // The account's row lock: sign-ins on two hosts at once cannot both pass the limit.
            guard try !connection.query("SELECT 1 FROM account WHERE id = $1 FOR UPDATE", [account.rawValue]).isEmpty else {
                throw StoreError.unknownAccount
            }
            var ended: [String] = []
            if let limit {
                let existing = try connection.query("SELECT digest, created_at FROM session WHERE account_id = $1", [account.rawValue])
                    .map { SessionLimit.Session(digest: try $0.string("digest"), createdAt: try $0.date("created_at")) }
                ended = limit.sessionsToEnd(beforeAdding: existing)
                for old in ended {
                    try connection.query("DELETE FROM session WHERE digest = $1", [old])
                }
            }
            try connection.query("INSERT INTO session (digest, account_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
                                 [digest, account.rawValue, now])
            return ended
        }
    }

    /// The session with this digest, if any. Expiry is the caller's rule: compare the dates.
    public func session(digest: String) throws -> StoredSession? {
        try read { connection in
            try connection.query("SELECT * FROM session WHERE digest = $1", [digest]).first.map(StoredSession.init)
        }
    }

    /// The session with this digest and its account (nil when the account is gone), in one statement.
    public func sessionAndAccount(digest: String) throws -> (session: StoredSession, account: Account?)? {
        try read { connection in
            guard let row = try connection.query("""
                SELECT s.digest, s.account_id, s.created_at AS session_created_at, s.last_seen_at, a.*
                FROM session s LEFT JOIN account a ON a.id = s.account_id
                WHERE s.digest = $1
                """, [digest]).first else { return nil }
            let session = StoredSession(
                digest: try row.string("digest"), account: CustomerID(trusted: try row.string("account_id")),
                createdAt: try row.date("session_created_at"), lastSeenAt: try row.date("last_seen_at"))
            return (session, row["id"] == nil ? nil : try AccountRecord(row).account)
        }
    }

    /// Marks the session as seen `now` (it never moves back in time). No effect on an unknown digest.
    public func touchSession(digest: String, now: Date) throws {
        try write { connection in
            try connection.query("UPDATE session SET last_seen_at = $2 WHERE digest = $1 AND last_seen_at < $2", [digest, now])
        }
    }

    /// Ends one session (sign-out). No effect on an unknown digest.
    public func deleteSession(digest: String) throws {
        try write { connection in try connection.query("DELETE FROM session WHERE digest = $1", [digest]) }
    }

    /// Ends every session of the account ("sign out everywhere"); returns how many ended.
    @discardableResult
    public func deleteSessions(of account: CustomerID) throws -> Int {
        try write { connection in
            try connection.count("DELETE FROM session WHERE account_id = $1", [account.rawValue])
        }
    }

    /// Removes expired sessions: idle since before `lastSeenBefore`, or older than `createdBefore`.
    @discardableResult
    public func deleteSessions(lastSeenBefore: Date, createdBefore: Date) throws -> Int {
        try write { connection in
            try connection.count("DELETE FROM session WHERE last_seen_at < $1 OR created_at < $2", [lastSeenBefore, createdBefore])
        }
    }

    // MARK: Sign-in throttling, stored so that it holds across hosts

    /// Records one failed sign-in under each key (for example `"id:aa1-ovh"` and `"ip:192.0.2.1"`).
    public func recordSignInFailure(keys: [String], now: Date) throws {
        try write { connection in
            for key in Set(keys) {
                try connection.query("INSERT INTO sign_in_failure (key, failed_at) VALUES ($1, $2)", [key, now])
            }
        }
    }

    /// How many failures the key has had since `since`, and when the latest was.
    public func signInFailures(key: String, since: Date) throws -> (count: Int, latest: Date?) {
        try read { connection in
            let row = try connection.query(
                "SELECT count(*) AS n, max(failed_at) AS latest FROM sign_in_failure WHERE key = $1 AND failed_at >= $2",
                [key, since])[0]
            return (try row.int("n"), try row.optionalDate("latest"))
        }
    }

    /// Forgets the key's failures (after a successful sign-in).
    public func clearSignInFailures(key: String) throws {
        try write { connection in try connection.query("DELETE FROM sign_in_failure WHERE key = $1", [key]) }
    }

    /// Housekeeping: forgets failures older than `before`. Returns how many were removed.
    @discardableResult
    public func deleteSignInFailures(before: Date) throws -> Int {
        try write { connection in try connection.count("DELETE FROM sign_in_failure WHERE failed_at < $1", [before]) }
    }
}

extension StoredSession {
    init(_ row: PostgresRow) throws {
        self.init(digest: try row.string("digest"), account: CustomerID(trusted: try row.string("account_id")),
                  createdAt: try row.date("created_at"), lastSeenAt: try row.date("last_seen_at"))
    }
}
