import ContactsDomain
import Foundation

// Email address changes on PostgreSQL (see Accounts/EmailChanges.swift): the account's address
// moves only when the link is followed; each step writes its emails in its own transaction.

extension PostgresStore {
    /// Stores a pending change (the token's SHA-256 only), replacing an older pending one, with
    /// `emails` and, when given, the profile's preferences, in one transaction.
    /// - Throws: ``StoreError/unknownAccount``.
    @discardableResult
    public func requestEmailChange(
        _ account: CustomerID, to newAddress: EmailAddress, tokenDigest: String,
        lifetime: TimeInterval, now: Date, preferences: AccountPreferences?, emails: [OutgoingEmail]
    ) throws -> EmailChange {
        try write { connection in
            guard try !connection.query("SELECT 1 FROM account WHERE id = $1 FOR UPDATE", [account.rawValue]).isEmpty else {
                throw StoreError.unknownAccount
            }
            if let preferences {
                try connection.query("UPDATE account SET language = $1, time_zone = $2 WHERE id = $3",
                                     [preferences.language.rawValue, preferences.timeZone, account.rawValue])
            }
            try Self.endPendingEmailChange(of: account, as: .replaced, now: now, connection)
            let id = try connection.query("""
                INSERT INTO email_change (account_id, new_email, token_digest, created_at, expires_at)
                VALUES ($1, $2, $3, $4, $5) RETURNING id
                """, [account.rawValue, newAddress.rawValue, tokenDigest, now, now.addingTimeInterval(lifetime)])[0].int64("id")
            try Self.enqueue(emails, requestID: nil, now: now, connection)
            return EmailChange(id: id, account: account, newAddress: newAddress, createdAt: now,
                               expiresAt: now.addingTimeInterval(lifetime), state: .pending)
        }
    }

    /// The account's pending change, if it is still open at `now`.
    public func pendingEmailChange(of account: CustomerID, now: Date) throws -> EmailChange? {
        try read { connection in
            try Self.emailChange(connection, where: "account_id = $1 AND state = 'pending'", [account.rawValue])
                .flatMap { $0.isOpen(at: now) ? $0 : nil }
        }
    }

    /// The change this token belongs to, for this account, whatever its state.
    public func emailChange(tokenDigest: String, account: CustomerID) throws -> EmailChange? {
        try read { connection in
            try Self.emailChange(connection, where: "token_digest = $1 AND account_id = $2", [tokenDigest, account.rawValue])
        }
    }

    /// Follows the link: the address changes, its history period closes, `emails` are queued.
    /// - Throws: ``EmailChangeError``.
    @discardableResult
    public func confirmEmailChange(tokenDigest: String, account: CustomerID, now: Date, emails: [OutgoingEmail]) throws -> EmailChange {
        try write { connection in
            guard var change = try Self.emailChange(
                connection, where: "token_digest = $1 AND account_id = $2", [tokenDigest, account.rawValue], forUpdate: true)
            else { throw EmailChangeError.unknownToken }
            guard change.state == .pending else { throw EmailChangeError.alreadyUsed }
            guard now < change.expiresAt else { throw EmailChangeError.expired }
            try connection.query("UPDATE email_change SET state = 'confirmed', decided_at = $1 WHERE id = $2", [now, change.id])
            try connection.query("UPDATE account SET email = $1 WHERE id = $2", [change.newAddress.rawValue, account.rawValue])
            try connection.query("UPDATE account_email_history SET valid_until = $1 WHERE account_id = $2 AND valid_until IS NULL",
                                 [now, account.rawValue])
            try connection.query("INSERT INTO account_email_history (account_id, address, valid_from) VALUES ($1, $2, $3)",
                                 [account.rawValue, change.newAddress.rawValue, now])
            try Self.enqueue(emails, requestID: nil, now: now, connection)
            change.state = .confirmed
            return change
        }
    }

    /// Cancels the pending change, if any. Returns whether there was one.
    @discardableResult
    public func cancelEmailChange(of account: CustomerID, now: Date) throws -> Bool {
        try write { connection in try Self.endPendingEmailChange(of: account, as: .cancelled, now: now, connection) }
    }

    /// The addresses the account had at some time between `start` and `end`, oldest first.
    public func emailAddresses(of account: CustomerID, inForceFrom start: Date, to end: Date) throws -> [EmailAddress] {
        try read { connection in try Self.emailAddresses(of: account, inForceFrom: start, to: end, connection) }
    }

    static func emailAddresses(
        of account: CustomerID, inForceFrom start: Date, to end: Date, _ connection: PostgresConnection
    ) throws -> [EmailAddress] {
        try connection.query("""
            SELECT address FROM account_email_history
            WHERE account_id = $1 AND valid_from <= $3 AND (valid_until IS NULL OR valid_until > $2)
            GROUP BY address ORDER BY min(valid_from), min(id)
            """, [account.rawValue, start, end]).map { EmailAddress(trusted: try $0.string("address")) }
    }

    /// The account's addresses, oldest first.
    public func emailHistory(of account: CustomerID) throws -> [EmailAddressPeriod] {
        try read { connection in
            try connection.query("""
                SELECT address, valid_from, valid_until FROM account_email_history WHERE account_id = $1 ORDER BY valid_from, id
                """, [account.rawValue]).map { row in
                EmailAddressPeriod(address: EmailAddress(trusted: try row.string("address")), validFrom: try row.date("valid_from"),
                                   validUntil: try row.optionalDate("valid_until"))
            }
        }
    }

    @discardableResult
    private static func endPendingEmailChange(
        of account: CustomerID, as state: EmailChange.State, now: Date, _ connection: PostgresConnection
    ) throws -> Bool {
        try connection.count("UPDATE email_change SET state = $1, decided_at = $2 WHERE account_id = $3 AND state = 'pending'",
                             [state.rawValue, now, account.rawValue]) > 0
    }

    private static func emailChange(
        _ connection: PostgresConnection, where condition: String, _ parameters: [(any PostgresBindable)?], forUpdate: Bool = false
    ) throws -> EmailChange? {
        try connection.query("""
            SELECT id, account_id, new_email, created_at, expires_at, state FROM email_change
            WHERE \(condition) ORDER BY id DESC LIMIT 1\(forUpdate ? " FOR UPDATE" : "")
            """, parameters).first.map { row in
            EmailChange(id: try row.int64("id"), account: CustomerID(trusted: try row.string("account_id")),
                        newAddress: EmailAddress(trusted: try row.string("new_email")), createdAt: try row.date("created_at"),
                        expiresAt: try row.date("expires_at"), state: EmailChange.State(rawValue: try row.string("state")) ?? .cancelled)
        }
    }
}
