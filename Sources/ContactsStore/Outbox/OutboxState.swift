import ContactsDomain
import Foundation
import GRDB

/// An email delivery stopped trying (``AppDatabase/recordDeliveryFailure(emailID:error:now:giveUpAfter:)``).
public struct GivenUpEmail: Sendable, Equatable {
    public var id: Int64
    public var recipient: CustomerID
    /// The recipient's address: the operator needs it to tell whether it is mistyped.
    public var toAddress: String
    public var givenUpAt: Date
    public var attempts: Int
    public var lastError: String

    public init(id: Int64, recipient: CustomerID, toAddress: String, givenUpAt: Date, attempts: Int, lastError: String) {
        self.id = id
        self.recipient = recipient
        self.toAddress = toAddress
        self.givenUpAt = givenUpAt
        self.attempts = attempts
        self.lastError = lastError
    }
}

/// The outbox by state, for `contacts-admin outbox`.
public struct OutboxSummary: Sendable, Equatable {
    public var pending: Int
    public var delivered: Int
    public var givenUp: Int
    /// When the oldest pending email was written; nil when none is pending.
    public var oldestPendingCreatedAt: Date?

    public init(pending: Int, delivered: Int, givenUp: Int, oldestPendingCreatedAt: Date?) {
        self.pending = pending
        self.delivered = delivered
        self.givenUp = givenUp
        self.oldestPendingCreatedAt = oldestPendingCreatedAt
    }
}

extension AppDatabase {
    /// Counts by state, and the oldest pending email's time, in one snapshot.
    public func outboxSummary() throws -> OutboxSummary {
        try timedRead { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT
                    count(*) FILTER (WHERE delivered_at IS NULL AND given_up_at IS NULL) AS pending,
                    count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered,
                    count(*) FILTER (WHERE given_up_at IS NOT NULL) AS given_up
                FROM outbox
                """)
            let oldest = try Date.fetchOne(db, sql: """
                SELECT min(created_at) FROM outbox WHERE delivered_at IS NULL AND given_up_at IS NULL
                """)
            return OutboxSummary(
                pending: row?["pending"] ?? 0, delivered: row?["delivered"] ?? 0,
                givenUp: row?["given_up"] ?? 0, oldestPendingCreatedAt: oldest)
        }
    }

    /// The given-up emails, most recently given up first, at most `limit`.
    public func givenUpEmails(limit: Int = 100) throws -> [GivenUpEmail] {
        try timedRead { db in
            try Row.fetchAll(db, sql: """
                SELECT id, recipient, to_address, given_up_at, attempts, last_error FROM outbox
                WHERE given_up_at IS NOT NULL
                ORDER BY given_up_at DESC, id DESC
                LIMIT ?
                """, arguments: [max(limit, 0)])
            .map { row in
                GivenUpEmail(
                    id: row["id"], recipient: CustomerID(trusted: row["recipient"]), toAddress: row["to_address"], givenUpAt: row["given_up_at"],
                    attempts: row["attempts"], lastError: row["last_error"] ?? "")
            }
        }
    }

    /// Puts every given-up email back to pending, due at once, with a fresh give-up clock (the
    /// operator fixed the cause). Returns how many.
    @discardableResult
    public func retryGivenUpEmails(now: Date) throws -> Int {
        try timedWrite { db in
            try db.execute(sql: """
                UPDATE outbox SET given_up_at = NULL, first_failed_at = NULL, next_attempt_at = ?
                WHERE given_up_at IS NOT NULL
                """, arguments: [now])
            return db.changesCount
        }
    }
}
