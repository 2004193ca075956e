import ContactsDomain
import Foundation
import GRDB

/// One email to send, rendered by the web layer: plain text in the recipient's language.
public struct OutgoingEmail: Sendable, Equatable {
    public var recipient: CustomerID
    public var toAddress: String
    public var language: Language
    /// One line: line breaks are refused by the schema (no header injection).
    public var subject: String
    public var bodyText: String

    public init(recipient: CustomerID, toAddress: String, language: Language, subject: String, bodyText: String) {
        self.recipient = recipient
        self.toAddress = toAddress
        self.language = language
        self.subject = subject
        self.bodyText = bodyText
    }
}

/// An outbox row due for delivery.
public struct PendingEmail: Sendable, Equatable {
    public var id: Int64
    public var email: OutgoingEmail
    /// Failed deliveries so far.
    public var attempts: Int
    /// When the email was written to the outbox (the message's Date).
    public var createdAt: Date

    public init(id: Int64, email: OutgoingEmail, attempts: Int, createdAt: Date) {
        self.id = id
        self.email = email
        self.attempts = attempts
        self.createdAt = createdAt
    }
}

// MARK: - The outbox
//
// Emails are written to `outbox` in the same transaction as the change that causes them, so a
// change never commits without its emails, nor emails without their change. A separate step
// delivers them: `pendingEmails`, then `markDelivered` or `markDeliveryFailed` for each.
//
// Decision: the outbox holds the rendered message, with its verification code, only until it is
// delivered. `markDelivered` replaces the body with an empty string (a CHECK makes a delivered
// row with a body impossible), so codes do not linger in the database; the row itself stays as a
// record of what was sent to whom and when.

extension AppDatabase {
    /// Undelivered emails whose next attempt is due (`next_attempt_at <= now`), oldest first.
    public func pendingEmails(now: Date, limit: Int) throws -> [PendingEmail] {
        try timedRead { db in
            try OutboxRecord.fetchAll(db, sql: Self.pendingEmailsSQL, arguments: ["now": now, "limit": max(limit, 0)])
            .compactMap(\.pendingEmail)
        }
    }

    /// Due emails through the partial index `outbox_pending`, already in order.
    static let pendingEmailsSQL = """
        SELECT * FROM outbox
        WHERE delivered_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= :now
        ORDER BY next_attempt_at, id
        LIMIT :limit
        """

    /// Records a delivery: sets `delivered_at` and erases the body. Idempotent: a row already
    /// delivered keeps its first delivery time; an unknown ID changes nothing.
    public func markDelivered(emailID: Int64, now: Date) throws {
        try timedWrite { db in
            try db.execute(
                sql: "UPDATE outbox SET delivered_at = ?, body_text = '', given_up_at = NULL WHERE id = ? AND delivered_at IS NULL",
                arguments: [now, emailID])
        }
    }

    /// Records a failed attempt: one more attempt, the next one after ``DeliveryPolicy``'s delay, and the error (cut to 1,000 characters).
    /// Never gives up (see ``recordDeliveryFailure(emailID:error:now:giveUpAfter:)``).
    /// No effect on a delivered row or an unknown ID.
    public func markDeliveryFailed(emailID: Int64, error: String, now: Date) throws {
        _ = try recordDeliveryFailure(emailID: emailID, error: error, now: now, giveUpAfter: .infinity)
    }

    /// Records a failed attempt like ``markDeliveryFailed(emailID:error:now:)``, and gives the
    /// email up when it has been failing for `giveUpAfter` seconds (``DeliveryPolicy/shouldGiveUp``):
    /// it keeps its error, gets `given_up_at`, and is no longer due nor pending. Returns whether
    /// it was given up; false for a delivered row or an unknown ID.
    public func recordDeliveryFailure(emailID: Int64, error: String, now: Date, giveUpAfter: TimeInterval) throws -> Bool {
        try timedWrite { db in
            guard var record = try OutboxRecord.fetchOne(db, key: emailID), record.deliveredAt == nil else { return false }
            let firstFailure = try Date.fetchOne(
                db, sql: "SELECT first_failed_at FROM outbox WHERE id = ?", arguments: [emailID]) ?? now
            record.attempts += 1
            record.nextAttemptAt = now.addingTimeInterval(DeliveryPolicy.retryDelay(afterFailures: record.attempts))
            record.lastError = String(error.prefix(1_000))
            try record.update(db)
            let givingUp = DeliveryPolicy.shouldGiveUp(firstFailureAt: firstFailure, now: now, giveUpAfter: giveUpAfter)
            try db.execute(
                sql: "UPDATE outbox SET first_failed_at = ?, given_up_at = ? WHERE id = ?",
                arguments: [firstFailure, givingUp ? now : nil, emailID])
            return givingUp
        }
    }

    /// How many emails wait for delivery (due now or later, not given up) and how many were delivered.
    public func outboxCounts() throws -> (pending: Int, delivered: Int) {
        let summary = try outboxSummary()
        return (summary.pending, summary.delivered)
    }

    /// Housekeeping: forgets emails delivered before `deliveredBefore` (they hold no body any
    /// more; the requests keep their `email_sent` events). Undelivered ones are never removed.
    /// Returns how many were removed.
    @discardableResult
    public func deleteDeliveredEmails(deliveredBefore: Date) throws -> Int {
        try timedWrite { db in
            try db.execute(
                sql: "DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?",
                arguments: [deliveredBefore])
            return db.changesCount
        }
    }

    /// Writes `emails` to the outbox, due at once, with an `email_sent` event on the request for
    /// each recipient (its actor; one event even when it is mailed at several addresses). Runs
    /// inside the caller's transaction.
    static func enqueue(_ emails: [OutgoingEmail], requestID: Int64?, now: Date, _ db: Database) throws {
        var told: Set<CustomerID> = []
        for email in emails {
            var record = OutboxRecord(
                id: nil, requestID: requestID, recipient: email.recipient.rawValue,
                toAddress: email.toAddress, language: email.language.rawValue,
                subject: email.subject, bodyText: email.bodyText, createdAt: now,
                attempts: 0, nextAttemptAt: now, deliveredAt: nil, lastError: nil)
            try record.insert(db)
            if let requestID, told.insert(email.recipient).inserted {
                try addEvent(requestID: requestID, at: now, kind: .emailSent, actor: email.recipient, db)
            }
        }
    }
}

extension OutboxRecord {
    var pendingEmail: PendingEmail? {
        guard let id, let language = Language(rawValue: language) else { return nil }
        return PendingEmail(
            id: id,
            email: OutgoingEmail(
                recipient: CustomerID(trusted: recipient), toAddress: toAddress, language: language,
                subject: subject, bodyText: bodyText),
            attempts: attempts, createdAt: createdAt)
    }
}
