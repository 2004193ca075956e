import ContactsDomain
import Foundation

// The outbox as the operator and monitoring see it, on PostgreSQL (see Outbox/OutboxState.swift).

extension PostgresStore {
    /// Counts by state, and the oldest pending email's time, in one snapshot.
    public func outboxSummary() throws -> OutboxSummary {
        try read { connection in
            let row = try connection.query("""
                SELECT count(*) FILTER (WHERE delivered_at IS NULL AND given_up_at IS NULL) AS pending,
                       count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered,
                       count(*) FILTER (WHERE given_up_at IS NOT NULL) AS given_up,
                       min(created_at) FILTER (WHERE delivered_at IS NULL AND given_up_at IS NULL) AS oldest
                FROM outbox
                """)[0]
            return OutboxSummary(pending: try row.int("pending"), delivered: try row.int("delivered"),
                                 givenUp: try row.int("given_up"), oldestPendingCreatedAt: try row.optionalDate("oldest"))
        }
    }

    /// Emails waiting, and how long the oldest has waited.
    public func outboxHealth(now: Date) throws -> OutboxHealth {
        let summary = try outboxSummary()
        return OutboxHealth(pending: summary.pending,
                            oldestPendingAge: summary.oldestPendingCreatedAt.map { max(0, now.timeIntervalSince($0)) })
    }

    /// The given-up emails, most recently given up first, at most `limit`.
    public func givenUpEmails(limit: Int = 100) throws -> [GivenUpEmail] {
        try read { connection in
            try connection.query("""
                SELECT id, recipient, to_address, given_up_at, attempts, last_error FROM outbox
                WHERE given_up_at IS NOT NULL
                ORDER BY given_up_at DESC, id DESC
                LIMIT $1
                """, [max(limit, 0)])
            .map { row in
                GivenUpEmail(id: try row.int64("id"), recipient: CustomerID(trusted: try row.string("recipient")),
                             toAddress: try row.string("to_address"), givenUpAt: try row.date("given_up_at"),
                             attempts: try row.int("attempts"), lastError: row["last_error"] ?? "")
            }
        }
    }

    /// Puts every given-up email back to pending, due at once, with a fresh give-up clock. Returns how many.
    @discardableResult
    public func retryGivenUpEmails(now: Date) throws -> Int {
        try write { connection in
            try connection.count("""
                UPDATE outbox SET given_up_at = NULL, first_failed_at = NULL, next_attempt_at = $1, claimed_until = NULL
                WHERE given_up_at IS NOT NULL
                """, [now])
        }
    }

    /// Housekeeping: forgets emails delivered before `deliveredBefore`. Returns how many.
    @discardableResult
    public func deleteDeliveredEmails(deliveredBefore: Date) throws -> Int {
        try write { connection in
            try connection.count("DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < $1", [deliveredBefore])
        }
    }
}
