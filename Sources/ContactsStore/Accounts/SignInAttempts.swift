import ContactsDomain
import Foundation
import GRDB

/// A sign-in attempt let through the throttle and recorded as a failure before the password is
/// checked, so that attempts running at the same time all count.
public struct SignInAttempt: Equatable, Sendable {
    public let account: CustomerID
    public let client: String
    /// The `sign_in_failure` rows written for it (account, account from client, client).
    let failureRowIDs: [Int64]
    /// Its `sign_in_pending` row.
    let pendingRowID: Int64
    /// The account's successes before this are no longer needed (past the known-client period).
    let forgetSuccessesBefore: Date
}

public enum SignInGate: Equatable, Sendable {
    /// Check the password now, then say how it ended: ``AppDatabase/recordSignInSuccess(_:now:)``,
    /// ``AppDatabase/recordSignInFailure(_:)``, or ``AppDatabase/abandonSignIn(_:)`` when it
    /// was never checked.
    case proceed(SignInAttempt)
    /// Not checked: another attempt will be after this wait.
    case wait(SignInWait)
}

extension AppDatabase {
    /// Counts the attempts the throttle looks at and, if it lets this one through, records it as
    /// a failure — all in one write transaction, so concurrent attempts cannot slip past the
    /// count together.
    public func beginSignIn(account: CustomerID, client: String, now: Date, throttle: SignInThrottle) throws -> SignInGate {
        let keys: [SignInThrottle.Key] = [.account(account), .accountFromClient(account, client), .client(client)]
        return try timedWrite { db in
            let since = now.addingTimeInterval(-throttle.window)
            let alive = now.addingTimeInterval(-throttle.attemptTimeout)
            try db.execute(sql: SignInStatements.forgetDeadAttempts, arguments: [account.rawValue, alive])
            let facts = SignInFacts(
                failuresOfAccountFromClient: try failures(db, key: keys[1].storageKey, since: since),
                failuresOfAccount: try failures(db, key: keys[0].storageKey, since: since),
                failuresFromClient: try failures(db, key: keys[2].storageKey, since: since),
                successesOfAccount: try tally(db, sql: SignInStatements.successesOfAccount, [account.rawValue, since, alive]),
                successesFromClient: try tally(db, sql: SignInStatements.successesFromClient, [client, since, alive]),
                clientIsKnown: try Bool.fetchOne(db, sql: SignInStatements.clientIsKnown,
                    arguments: [account.rawValue, client, now.addingTimeInterval(-throttle.knownClientPeriod)]) ?? false)
            if let wait = throttle.wait(facts, now: now) {
                return .wait(wait)
            }
            var ids: [Int64] = []
            for key in keys {
                var record = SignInFailureRecord(id: nil, key: key.storageKey, failedAt: now)
                try record.insert(db)
                if let id = record.id { ids.append(id) }
            }
            try db.execute(
                sql: "INSERT INTO sign_in_pending (account_id, client, started_at) VALUES (?, ?, ?)",
                arguments: [account.rawValue, client, now])
            return .proceed(SignInAttempt(
                account: account, client: client, failureRowIDs: ids, pendingRowID: db.lastInsertedRowID,
                forgetSuccessesBefore: now.addingTimeInterval(-max(throttle.knownClientPeriod, throttle.window))))
        }
    }

    /// The password did not match: the attempt stays counted as a failure, and is no longer
    /// being checked.
    public func recordSignInFailure(_ attempt: SignInAttempt) throws {
        try timedWrite { db in
            try deletePendingRow(db, attempt)
        }
    }

    /// The attempt was never checked (no hashing slot was free): it does not count.
    public func abandonSignIn(_ attempt: SignInAttempt) throws {
        try timedWrite { db in
            try deleteFailureRows(db, attempt.failureRowIDs)
            try deletePendingRow(db, attempt)
        }
    }

    /// The password matched: the attempt is a success, not a failure, and this address's earlier
    /// failures for the account are forgiven. Failures from elsewhere stay counted.
    public func recordSignInSuccess(_ attempt: SignInAttempt, now: Date) throws {
        try timedWrite { db in
            try deleteFailureRows(db, attempt.failureRowIDs)
            try deletePendingRow(db, attempt)
            try db.execute(sql: SignInStatements.forgiveClient,
                           arguments: [SignInThrottle.Key.accountFromClient(attempt.account, attempt.client).storageKey])
            try db.execute(sql: SignInStatements.insertSuccess, arguments: [attempt.account.rawValue, attempt.client, now])
            try db.execute(sql: SignInStatements.pruneSuccesses, arguments: [attempt.account.rawValue, attempt.forgetSuccessesBefore])
        }
    }

    /// How many successful sign-ins the account has had since `since`.
    public func signInSuccesses(of account: CustomerID, since: Date) throws -> Int {
        try timedRead { db in
            try Int.fetchOne(db, sql: SignInStatements.successesSince, arguments: [account.rawValue, since]) ?? 0
        }
    }

    /// Housekeeping: forgets successes older than `before` (keep the throttle's known-client
    /// period). Returns how many were removed.
    @discardableResult
    public func deleteSignInSuccesses(before: Date) throws -> Int {
        try timedWrite { db in
            try db.execute(sql: SignInStatements.deleteSuccessesBefore, arguments: [before])
            return db.changesCount
        }
    }

    private func failures(_ db: Database, key: String, since: Date) throws -> SignInFacts.Tally {
        try tally(db, sql: SignInStatements.failures, [key, since])
    }

    private func tally(_ db: Database, sql: String, _ arguments: StatementArguments) throws -> SignInFacts.Tally {
        let row = try Row.fetchOne(db, sql: sql, arguments: arguments)
        return SignInFacts.Tally(count: row?[0] ?? 0, latest: row?[1])
    }

    private func deletePendingRow(_ db: Database, _ attempt: SignInAttempt) throws {
        try db.execute(sql: SignInStatements.deletePending, arguments: [attempt.pendingRowID])
    }

    private func deleteFailureRows(_ db: Database, _ ids: [Int64]) throws {
        for id in ids {
            try db.execute(sql: SignInStatements.deleteFailure, arguments: [id])
        }
    }
}
