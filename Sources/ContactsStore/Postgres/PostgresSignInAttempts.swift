import ContactsDomain
import Foundation

// Sign-in attempts on PostgreSQL, counted with the same statements as SQLite's
// (``SignInStatements``) and decided by the same ``SignInThrottle``. SQLite serializes every
// write; here the attempts on one account and from one client are serialized by advisory
// transaction locks, so that attempts on several hosts at once cannot pass the count together.

extension PostgresStore {
    /// Counts what the throttle looks at and, if it lets this attempt through, records it as a
    /// failure, in one transaction (see ``AppDatabase/beginSignIn(account:client:now:throttle:)``).
    public func beginSignIn(account: CustomerID, client: String, now: Date, throttle: SignInThrottle) throws -> SignInGate {
        let keys: [SignInThrottle.Key] = [.account(account), .accountFromClient(account, client), .client(client)]
        return try write { connection in
            // Always the account first, then the client: no two attempts wait for each other in a cycle.
            try connection.query("SELECT pg_advisory_xact_lock(hashtext($1)), pg_advisory_xact_lock(hashtext($2))",
                                 ["sign-in " + keys[0].storageKey, "sign-in " + keys[2].storageKey])
            let since = now.addingTimeInterval(-throttle.window)
            let alive = now.addingTimeInterval(-throttle.attemptTimeout)
            try connection.query(SignInStatements.forgetDeadAttempts, [account.rawValue, alive])
            func tally(_ sql: String, _ parameters: [(any PostgresBindable)?]) throws -> SignInFacts.Tally {
                let row = try connection.query(sql, parameters)[0]
                return SignInFacts.Tally(count: try row.int("n"), latest: try row.optionalDate("latest"))
            }
            let facts = SignInFacts(
                failuresOfAccountFromClient: try tally(SignInStatements.failures, [keys[1].storageKey, since]),
                failuresOfAccount: try tally(SignInStatements.failures, [keys[0].storageKey, since]),
                failuresFromClient: try tally(SignInStatements.failures, [keys[2].storageKey, since]),
                successesOfAccount: try tally(SignInStatements.successesOfAccount, [account.rawValue, since, alive]),
                successesFromClient: try tally(SignInStatements.successesFromClient, [client, since, alive]),
                clientIsKnown: try connection.query(SignInStatements.clientIsKnown, [
                    account.rawValue, client, now.addingTimeInterval(-throttle.knownClientPeriod),
                ])[0].int("known") == 1)
            if let wait = throttle.wait(facts, now: now) {
                return .wait(wait)
            }
            let ids = try keys.map { key in
                try connection.query("INSERT INTO sign_in_failure (key, failed_at) VALUES ($1, $2) RETURNING id",
                                     [key.storageKey, now])[0].int64("id")
            }
            let pending = try connection.query(
                "INSERT INTO sign_in_pending (account_id, client, started_at) VALUES ($1, $2, $3) RETURNING id",
                [account.rawValue, client, now])[0].int64("id")
            return .proceed(SignInAttempt(
                account: account, client: client, failureRowIDs: ids, pendingRowID: pending,
                forgetSuccessesBefore: now.addingTimeInterval(-max(throttle.knownClientPeriod, throttle.window))))
        }
    }

    /// The password did not match: the attempt stays counted as a failure.
    public func recordSignInFailure(_ attempt: SignInAttempt) throws {
        try write { connection in try connection.query(SignInStatements.deletePending, [attempt.pendingRowID]) }
    }

    /// The attempt was never checked (no hashing slot was free): it does not count.
    public func abandonSignIn(_ attempt: SignInAttempt) throws {
        try write { connection in
            for id in attempt.failureRowIDs { try connection.query(SignInStatements.deleteFailure, [id]) }
            try connection.query(SignInStatements.deletePending, [attempt.pendingRowID])
        }
    }

    /// The password matched: a success, not a failure; this address's failures for the account are forgiven.
    public func recordSignInSuccess(_ attempt: SignInAttempt, now: Date) throws {
        try write { connection in
            for id in attempt.failureRowIDs { try connection.query(SignInStatements.deleteFailure, [id]) }
            try connection.query(SignInStatements.deletePending, [attempt.pendingRowID])
            try connection.query(SignInStatements.forgiveClient,
                                 [SignInThrottle.Key.accountFromClient(attempt.account, attempt.client).storageKey])
            try connection.query(SignInStatements.insertSuccess, [attempt.account.rawValue, attempt.client, now])
            try connection.query(SignInStatements.pruneSuccesses, [attempt.account.rawValue, attempt.forgetSuccessesBefore])
        }
    }

    /// How many successful sign-ins the account has had since `since`.
    public func signInSuccesses(of account: CustomerID, since: Date) throws -> Int {
        try read { connection in try connection.query(SignInStatements.successesSince, [account.rawValue, since])[0].int("n") }
    }

    /// Housekeeping: forgets successes older than `before`. Returns how many were removed.
    @discardableResult
    public func deleteSignInSuccesses(before: Date) throws -> Int {
        try write { connection in try connection.count(SignInStatements.deleteSuccessesBefore, [before]) }
    }
}
