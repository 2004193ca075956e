import ContactsDomain
import Foundation
import GRDB

/// What `purge` may forget: rows that no longer decide anything.
public struct PurgePolicy: Sendable, Equatable {
    /// The web application's session timeouts (`SessionTimeouts`, its defaults): a session idle or
    /// old beyond them is refused anyway, so its row is only a leftover.
    public var sessionIdleTimeout: TimeInterval = SessionTimeouts.idle
    public var sessionAbsoluteTimeout: TimeInterval = SessionTimeouts.absolute
    /// Failed sign-ins and wrong codes count only within their throttle's window; older ones
    /// can no longer slow anybody down.
    public var throttleWindow: TimeInterval = max(SignInThrottle().window, RequestPolicy.wrongCodeThrottle.window)
    /// Edit-page lookups count within the lookup throttle's window (an hour).
    public var lookupWindow: TimeInterval = RequestPolicy.lookupThrottle.window

    public init() {}
}

/// How many rows one purge removed.
public struct PurgeCounts: Sendable, Equatable {
    public var sessions = 0
    public var signInFailures = 0
    public var codeFailures = 0
    public var lookups = 0

    public init(sessions: Int = 0, signInFailures: Int = 0, codeFailures: Int = 0, lookups: Int = 0) {
        self.sessions = sessions
        self.signInFailures = signInFailures
        self.codeFailures = codeFailures
        self.lookups = lookups
    }
}

/// One statement of the purge, in SQL both engines read (SQLite takes `$1` as its first
/// parameter too), with the count it fills.
struct PurgeStep {
    let sql: String
    let arguments: [Date]
    let count: WritableKeyPath<PurgeCounts, Int>

    static func steps(now: Date, policy: PurgePolicy) -> [PurgeStep] {
        let throttleCutoff = now.addingTimeInterval(-policy.throttleWindow)
        return [
            PurgeStep(sql: "DELETE FROM session WHERE last_seen_at < $1 OR created_at < $2",
                      arguments: [now.addingTimeInterval(-policy.sessionIdleTimeout),
                                  now.addingTimeInterval(-policy.sessionAbsoluteTimeout)],
                      count: \.sessions),
            PurgeStep(sql: "DELETE FROM sign_in_failure WHERE failed_at < $1", arguments: [throttleCutoff], count: \.signInFailures),
            PurgeStep(sql: "DELETE FROM code_failure WHERE failed_at < $1", arguments: [throttleCutoff], count: \.codeFailures),
            PurgeStep(sql: "DELETE FROM account_lookup WHERE looked_up_at < $1",
                      arguments: [now.addingTimeInterval(-policy.lookupWindow)], count: \.lookups),
        ]
    }
}

extension AppDatabase {
    /// Housekeeping (`contacts-admin purge`, and `deliver-mail --loop` now and then): removes
    /// expired sessions and the throttle rows past their window, in one transaction, then
    /// truncates the write-ahead log so the removed rows leave no copy there either.
    @discardableResult
    public func purge(now: Date, policy: PurgePolicy) throws -> PurgeCounts {
        let counts = try timedWrite { db in
            var counts = PurgeCounts()
            for step in PurgeStep.steps(now: now, policy: policy) {
                try db.execute(sql: step.sql, arguments: StatementArguments(step.arguments))
                counts[keyPath: step.count] = db.changesCount
            }
            return counts
        }
        try truncateWriteAheadLog()
        return counts
    }

    /// Copies the write-ahead log into the database file and empties it
    /// (`PRAGMA wal_checkpoint(TRUNCATE)`), so that what was erased (a delivered email's body,
    /// with its code) is gone from the -wal file too; `secure_delete` (see `makeConfiguration`)
    /// has already zeroed it in the pages. Returns false when a reader still held an older
    /// snapshot and the log could not be emptied this time (it will be at the next call).
    @discardableResult
    public func truncateWriteAheadLog() throws -> Bool {
        try timedWriteWithoutTransaction { db in
            let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            let busy: Int = row?[0] ?? 1
            return busy == 0
        }
    }
}
