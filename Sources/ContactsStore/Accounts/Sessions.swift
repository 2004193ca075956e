import ContactsDomain
import Foundation
import GRDB

/// A signed-in session as stored: the store only ever sees the SHA-256 digest of the secret.
public struct StoredSession: Equatable, Sendable {
    public var digest: String
    public var account: CustomerID
    public var createdAt: Date
    public var lastSeenAt: Date

    public init(digest: String, account: CustomerID, createdAt: Date, lastSeenAt: Date) {
        self.digest = digest
        self.account = account
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }
}

// MARK: - Sessions

extension AppDatabase {
    /// Records a new session for `account`, created and last seen `now`.
    /// - Throws: ``StoreError/unknownAccount``.
    public func createSession(digest: String, account: CustomerID, now: Date) throws {
        do {
            try timedWrite { db in
                try SessionRecord(digest: digest, accountID: account.rawValue, createdAt: now, lastSeenAt: now)
                    .insert(db)
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw StoreError.unknownAccount
        }
    }

    /// Records a new session for `account` and, in the same transaction, ends the sessions
    /// `limit` picks to make room for it. Returns the digests of the sessions ended.
    /// - Throws: ``StoreError/unknownAccount``.
    @discardableResult
    public func createSession(digest: String, account: CustomerID, now: Date, limit: SessionLimit) throws -> [String] {
        do {
            return try timedWrite { db in
                let existing = try Row.fetchAll(
                    db, sql: "SELECT digest, created_at FROM session WHERE account_id = ?", arguments: [account.rawValue]
                ).map { SessionLimit.Session(digest: $0[0], createdAt: $0[1]) }
                let ended = limit.sessionsToEnd(beforeAdding: existing)
                for old in ended {
                    _ = try SessionRecord.deleteOne(db, key: old)
                }
                try SessionRecord(digest: digest, accountID: account.rawValue, createdAt: now, lastSeenAt: now).insert(db)
                return ended
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw StoreError.unknownAccount
        }
    }

    /// The session with this digest, if any. Expiry is the caller's rule: compare the dates.
    public func session(digest: String) throws -> StoredSession? {
        try timedRead { db in
            try SessionRecord.fetchOne(db, key: digest).map {
                StoredSession(
                    digest: $0.digest, account: CustomerID(trusted: $0.accountID),
                    createdAt: $0.createdAt, lastSeenAt: $0.lastSeenAt)
            }
        }
    }

    /// The session with this digest and its account (nil when the account is gone), read in one
    /// go: every request of a signed-in visitor asks for both.
    public func sessionAndAccount(digest: String) throws -> (session: StoredSession, account: Account?)? {
        try timedRead { db in
            let sessions = try db.cachedStatement(sql: """
                SELECT digest, account_id, created_at, last_seen_at FROM session WHERE digest = ?
                """)
            guard let record = try SessionRecord.fetchOne(sessions, arguments: [digest]) else { return nil }
            let accounts = try db.cachedStatement(sql: "SELECT * FROM account WHERE id = ?")
            let account = try AccountRecord.fetchOne(accounts, arguments: [record.accountID])?.account
            let session = StoredSession(
                digest: record.digest, account: CustomerID(trusted: record.accountID),
                createdAt: record.createdAt, lastSeenAt: record.lastSeenAt)
            return (session, account)
        }
    }

    /// Marks the session as seen `now` (it never moves back in time). No effect on an unknown digest.
    public func touchSession(digest: String, now: Date) throws {
        try timedWrite { db in
            try db.execute(
                sql: "UPDATE session SET last_seen_at = ? WHERE digest = ? AND last_seen_at < ?",
                arguments: [now, digest, now])
        }
    }

    /// Ends one session (sign-out). No effect on an unknown digest.
    public func deleteSession(digest: String) throws {
        try timedWrite { db in
            _ = try SessionRecord.deleteOne(db, key: digest)
        }
    }

    /// Ends every session of the account ("sign out everywhere"); returns how many ended.
    @discardableResult
    public func deleteSessions(of account: CustomerID) throws -> Int {
        try timedWrite { db in
            try db.execute(sql: "DELETE FROM session WHERE account_id = ?", arguments: [account.rawValue])
            return db.changesCount
        }
    }

    /// Removes expired sessions: idle since before `lastSeenBefore`, or older than
    /// `createdBefore` whatever their activity. Returns how many were removed.
    @discardableResult
    public func deleteSessions(lastSeenBefore: Date, createdBefore: Date) throws -> Int {
        try timedWrite { db in
            try db.execute(
                sql: "DELETE FROM session WHERE last_seen_at < ? OR created_at < ?",
                arguments: [lastSeenBefore, createdBefore])
            return db.changesCount
        }
    }
}

// MARK: - Sign-in throttling

extension AppDatabase {
    /// Records one failed sign-in under each key (for example `"id:aa1-ovh"` and `"ip:192.0.2.1"`).
    public func recordSignInFailure(keys: [String], now: Date) throws {
        try timedWrite { db in
            for key in Set(keys) {
                var record = SignInFailureRecord(id: nil, key: key, failedAt: now)
                try record.insert(db)
            }
        }
    }

    /// How many failures the key has had since `since`, and when the latest was.
    public func signInFailures(key: String, since: Date) throws -> (count: Int, latest: Date?) {
        try timedRead { db in
            let row = try Row.fetchOne(
                db,
                sql: "SELECT count(*), max(failed_at) FROM sign_in_failure WHERE key = ? AND failed_at >= ?",
                arguments: [key, since])
            guard let row else { return (0, nil) }
            return (row[0], row[1])
        }
    }

    /// Forgets the key's failures (after a successful sign-in).
    public func clearSignInFailures(key: String) throws {
        try timedWrite { db in
            try db.execute(sql: "DELETE FROM sign_in_failure WHERE key = ?", arguments: [key])
        }
    }

    /// Housekeeping: forgets failures older than `before`. Returns how many were removed.
    @discardableResult
    public func deleteSignInFailures(before: Date) throws -> Int {
        try timedWrite { db in
            try db.execute(sql: "DELETE FROM sign_in_failure WHERE failed_at < ?", arguments: [before])
            return db.changesCount
        }
    }
}
