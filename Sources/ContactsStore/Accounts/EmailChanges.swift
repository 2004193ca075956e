import ContactsDomain
import Foundation
import GRDB

/// A request to move an account's email address, waiting for the link sent to the new address.
public struct EmailChange: Sendable, Equatable {
    public enum State: String, Sendable {
        case pending, confirmed, cancelled, replaced
    }

    public var id: Int64
    public var account: CustomerID
    public var newAddress: EmailAddress
    public var createdAt: Date
    public var expiresAt: Date
    public var state: State

    /// Still waiting, and its link still works at `now`.
    public func isOpen(at now: Date) -> Bool {
        state == .pending && now < expiresAt
    }
}

/// Why a confirmation link does not work.
public enum EmailChangeError: Error, Equatable, Sendable {
    /// No change has this token, or it belongs to another account (the two are not told apart).
    case unknownToken
    /// The link's time is up.
    case expired
    /// Already confirmed, cancelled or replaced by a newer change: every link works once.
    case alreadyUsed
}

/// One address an account had, and when: from `validFrom` up to (not including) `validUntil`,
/// nil while it is the current one.
public struct EmailAddressPeriod: Sendable, Equatable {
    public var address: EmailAddress
    public var validFrom: Date
    public var validUntil: Date?
}

// MARK: - Email address changes
//
// The account's `email` column is where every email goes, codes included; it changes only in
// `confirmEmailChange`, so until then everything keeps going to the old address. The web layer
// renders the emails each step needs; they are written to the outbox in the step's transaction.

extension AppDatabase {
    /// Records a pending change to `newAddress`, replacing any pending one of the account, and
    /// queues `emails` (the link to the new address, the notice to the old one). `preferences`
    /// (language and time zone), when given, are saved in the same transaction (the profile
    /// form sends them all).
    /// - Throws: ``StoreError/unknownAccount``.
    @discardableResult
    public func requestEmailChange(
        _ account: CustomerID, to newAddress: EmailAddress, tokenDigest: String,
        lifetime: TimeInterval, now: Date, preferences: AccountPreferences?, emails: [OutgoingEmail]
    ) throws -> EmailChange {
        try timedWrite { db in
            guard try AccountRecord.exists(db, key: account.rawValue) else { throw StoreError.unknownAccount }
            if let preferences {
                try Self.save(preferences, for: account, db)
            }
            try Self.endPendingEmailChange(of: account, as: .replaced, now: now, db)
            try db.execute(
                sql: """
                    INSERT INTO email_change (account_id, new_email, token_digest, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [account.rawValue, newAddress.rawValue, tokenDigest, now, now.addingTimeInterval(lifetime)])
            let change = EmailChange(
                id: db.lastInsertedRowID, account: account, newAddress: newAddress,
                createdAt: now, expiresAt: now.addingTimeInterval(lifetime), state: .pending)
            try Self.enqueue(emails, requestID: nil, now: now, db)
            return change
        }
    }

    /// The account's pending change whose link still works, if any.
    public func pendingEmailChange(of account: CustomerID, now: Date) throws -> EmailChange? {
        try timedRead { db in
            try Self.fetchEmailChange(db, where: "account_id = ? AND state = 'pending'", [account.rawValue])
                .flatMap { $0.isOpen(at: now) ? $0 : nil }
        }
    }

    /// The change a link's token names, in whatever state, if it belongs to `account`.
    public func emailChange(tokenDigest: String, account: CustomerID) throws -> EmailChange? {
        try timedRead { db in
            try Self.fetchEmailChange(db, where: "token_digest = ? AND account_id = ?", [tokenDigest, account.rawValue])
        }
    }

    /// Follows a link: the account's address becomes the new one, the history records when, and
    /// `emails` are queued, all in one transaction.
    /// - Throws: ``EmailChangeError`` when the token is unknown (or another account's), expired
    ///   or already used; nothing changes then.
    @discardableResult
    public func confirmEmailChange(
        tokenDigest: String, account: CustomerID, now: Date, emails: [OutgoingEmail]
    ) throws -> EmailChange {
        try timedWrite { db in
            guard var change = try Self.fetchEmailChange(
                db, where: "token_digest = ? AND account_id = ?", [tokenDigest, account.rawValue])
            else { throw EmailChangeError.unknownToken }
            guard change.state == .pending else { throw EmailChangeError.alreadyUsed }
            guard now < change.expiresAt else { throw EmailChangeError.expired }
            try db.execute(
                sql: "UPDATE email_change SET state = 'confirmed', decided_at = ? WHERE id = ?",
                arguments: [now, change.id])
            try db.execute(
                sql: "UPDATE account SET email = ? WHERE id = ?",
                arguments: [change.newAddress.rawValue, account.rawValue])
            try db.execute(
                sql: "UPDATE account_email_history SET valid_until = ? WHERE account_id = ? AND valid_until IS NULL",
                arguments: [now, account.rawValue])
            try db.execute(
                sql: "INSERT INTO account_email_history (account_id, address, valid_from) VALUES (?, ?, ?)",
                arguments: [account.rawValue, change.newAddress.rawValue, now])
            try Self.enqueue(emails, requestID: nil, now: now, db)
            change.state = .confirmed
            return change
        }
    }

    /// Cancels the account's pending change, if any; its link stops working. Returns whether
    /// there was one.
    @discardableResult
    public func cancelEmailChange(of account: CustomerID, now: Date) throws -> Bool {
        try timedWrite { db in
            try Self.endPendingEmailChange(of: account, as: .cancelled, now: now, db)
        }
    }

    /// Every address of the account in force at some moment from `start` to `end` (both
    /// included), oldest first, each once.
    public func emailAddresses(of account: CustomerID, inForceFrom start: Date, to end: Date) throws -> [EmailAddress] {
        try timedRead { db in try Self.emailAddresses(of: account, inForceFrom: start, to: end, db) }
    }

    static func emailAddresses(of account: CustomerID, inForceFrom start: Date, to end: Date, _ db: Database) throws -> [EmailAddress] {
        try String.fetchAll(
            db,
            sql: """
                SELECT address FROM account_email_history
                WHERE account_id = :account AND valid_from <= :end
                  AND (valid_until IS NULL OR valid_until > :start)
                GROUP BY address ORDER BY min(valid_from), min(id)
                """,
            arguments: ["account": account.rawValue, "start": start, "end": end]
        ).map(EmailAddress.init(trusted:))
    }

    /// The account's addresses, oldest first.
    public func emailHistory(of account: CustomerID) throws -> [EmailAddressPeriod] {
        try timedRead { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT address, valid_from, valid_until FROM account_email_history
                    WHERE account_id = ? ORDER BY valid_from, id
                    """,
                arguments: [account.rawValue]
            ).map { row in
                EmailAddressPeriod(
                    address: EmailAddress(trusted: row["address"]), validFrom: row["valid_from"],
                    validUntil: row["valid_until"])
            }
        }
    }

    @discardableResult
    private static func endPendingEmailChange(
        of account: CustomerID, as state: EmailChange.State, now: Date, _ db: Database
    ) throws -> Bool {
        try db.execute(
            sql: "UPDATE email_change SET state = ?, decided_at = ? WHERE account_id = ? AND state = 'pending'",
            arguments: [state.rawValue, now, account.rawValue])
        return db.changesCount > 0
    }

    private static func fetchEmailChange(_ db: Database, where condition: String, _ arguments: StatementArguments) throws -> EmailChange? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT id, account_id, new_email, created_at, expires_at, state FROM email_change
                WHERE \(condition) ORDER BY id DESC LIMIT 1
                """,
            arguments: arguments
        ).map { row in
            EmailChange(
                id: row["id"], account: CustomerID(trusted: row["account_id"]),
                newAddress: EmailAddress(trusted: row["new_email"]), createdAt: row["created_at"],
                expiresAt: row["expires_at"], state: EmailChange.State(rawValue: row["state"]) ?? .cancelled)
        }
    }
}
