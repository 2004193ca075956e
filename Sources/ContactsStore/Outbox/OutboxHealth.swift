import Foundation
import GRDB

/// The outbox as monitoring sees it.
public struct OutboxHealth: Sendable, Equatable {
    /// Emails not delivered yet (given-up ones aside: `contacts-admin outbox` lists those).
    public var pending: Int
    /// How long the oldest of them has waited, in seconds; nil when none waits.
    public var oldestPendingAge: TimeInterval?
}

extension AppDatabase {
    /// Through the partial index of undelivered rows.
    public func outboxHealth(now: Date) throws -> OutboxHealth {
        try timedRead { db in
            let row = try Row.fetchOne(db, sql: "SELECT count(*), min(created_at) FROM outbox WHERE delivered_at IS NULL AND given_up_at IS NULL")
            let oldest: Date? = row?[1]
            return OutboxHealth(pending: row?[0] ?? 0, oldestPendingAge: oldest.map { max(0, now.timeIntervalSince($0)) })
        }
    }
}
