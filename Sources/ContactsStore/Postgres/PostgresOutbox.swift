import ContactsDomain
import Foundation

// The outbox on PostgreSQL, where deliverers on several hosts run at once: taking due emails
// claims them (`claimed_until`), skipping rows another deliverer is claiming right now
// (FOR UPDATE SKIP LOCKED), so each email goes to one deliverer. A delivery or a failure ends
// the claim; the claim of a deliverer that died expires after ``PostgresStore/claimDuration``.

extension PostgresStore {
    /// Claims and returns up to `limit` due emails (undelivered, not given up, next attempt
    /// at or before `now`, not claimed by another deliverer), oldest first.
    public func pendingEmails(now: Date, limit: Int) throws -> [PendingEmail] {
        try write { connection in
            try connection.query("""
                UPDATE outbox SET claimed_until = $2
                WHERE id IN (
                    SELECT id FROM outbox
                    WHERE delivered_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= $1
                      AND (claimed_until IS NULL OR claimed_until <= $1)
                    ORDER BY next_attempt_at, id
                    LIMIT $3
                    FOR UPDATE SKIP LOCKED)
                RETURNING *
                """, [now, now.addingTimeInterval(Self.claimDuration), max(limit, 0)])
            .map { try OutboxRecord($0) }
            .sorted { ($0.nextAttemptAt, $0.id ?? 0) < ($1.nextAttemptAt, $1.id ?? 0) }
            .compactMap(\.pendingEmail)
        }
    }

    /// Records a delivery: `delivered_at`, the body erased, the claim ended. Idempotent.
    public func markDelivered(emailID: Int64, now: Date) throws {
        try write { connection in
            _ = try connection.query("""
                UPDATE outbox SET delivered_at = $1, body_text = '', given_up_at = NULL, claimed_until = NULL
                WHERE id = $2 AND delivered_at IS NULL
                """, [now, emailID])
        }
    }

    /// Records a failed attempt and never gives up.
    public func markDeliveryFailed(emailID: Int64, error: String, now: Date) throws {
        _ = try recordDeliveryFailure(emailID: emailID, error: error, now: now, giveUpAfter: .infinity)
    }

    /// Records a failed attempt (``DeliveryPolicy``'s delay before the next one), ends the claim,
    /// and gives the email up once it has failed for `giveUpAfter` seconds. Returns whether it
    /// was given up; false for a delivered row or an unknown ID.
    public func recordDeliveryFailure(emailID: Int64, error: String, now: Date, giveUpAfter: TimeInterval) throws -> Bool {
        try write { connection in
            guard let row = try connection.query(
                "SELECT attempts, first_failed_at FROM outbox WHERE id = $1 AND delivered_at IS NULL FOR UPDATE", [emailID]).first
            else { return false }
            let attempts = try row.int("attempts") + 1
            let firstFailure = try row.optionalDate("first_failed_at") ?? now
            let givingUp = DeliveryPolicy.shouldGiveUp(firstFailureAt: firstFailure, now: now, giveUpAfter: giveUpAfter)
            try connection.query("""
                UPDATE outbox SET attempts = $2, next_attempt_at = $3, last_error = $4, first_failed_at = $5,
                                  given_up_at = $6, claimed_until = NULL
                WHERE id = $1
                """, [emailID, attempts, now.addingTimeInterval(DeliveryPolicy.retryDelay(afterFailures: attempts)),
                      String(error.prefix(1_000)), firstFailure, givingUp ? now : nil])
            return givingUp
        }
    }

    /// How many emails wait for delivery (not given up) and how many were delivered.
    public func outboxCounts() throws -> (pending: Int, delivered: Int) {
        try read { connection in
            let row = try connection.query("""
                SELECT count(*) FILTER (WHERE delivered_at IS NULL AND given_up_at IS NULL) AS pending,
                       count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered
                FROM outbox
                """)[0]
            return (try row.int("pending"), try row.int("delivered"))
        }
    }

    /// Writes `emails` to the outbox, due at once, inside the caller's transaction.
    static func enqueue(_ emails: [OutgoingEmail], requestID: Int64?, now: Date, _ connection: PostgresConnection) throws {
        for email in emails {
            try connection.query("""
                INSERT INTO outbox (request_id, recipient, to_address, language, subject, body_text,
                                    created_at, attempts, next_attempt_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $7)
                """, [requestID, email.recipient.rawValue, email.toAddress, email.language.rawValue,
                      email.subject, email.bodyText, now])
        }
    }
}

extension OutboxRecord {
    /// The record from a row of `outbox`.
    init(_ row: PostgresRow) throws {
        self.init(
            id: try row.int64("id"), requestID: row["request_id"].flatMap { Int64($0) },
            recipient: try row.string("recipient"), toAddress: try row.string("to_address"),
            language: try row.string("language"), subject: try row.string("subject"),
            bodyText: try row.string("body_text"), createdAt: try row.date("created_at"),
            attempts: try row.int("attempts"), nextAttemptAt: try row.date("next_attempt_at"),
            deliveredAt: try row.optionalDate("delivered_at"), lastError: row["last_error"])
    }
}
