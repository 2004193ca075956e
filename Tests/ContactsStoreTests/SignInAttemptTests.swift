import ContactsDomain
import Credentials
import Foundation
import Synchronization
import Testing
@testable import ContactsStore

@Suite struct SignInAttemptTests {
    let throttle = SignInThrottle()

    func begin(_ db: any StoreEngine, _ account: String = "aa1-ovh", from client: String = "192.0.2.1", at time: Date = now) throws -> SignInGate {
        try db.beginSignIn(account: cid(account), client: client, now: time, throttle: throttle)
    }

    func attempt(_ gate: SignInGate) throws -> SignInAttempt {
        guard case .proceed(let attempt) = gate else {
            Issue.record("throttled: \(gate)")
            throw CancellationError()
        }
        return attempt
    }

    @Test(arguments: StoreEngineKind.allCases)
    func sixteenConcurrentAttemptsLetExactlyTheFreeNumberThrough(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        let admitted = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            if case .proceed = try? db.beginSignIn(account: cid("aa1-ovh"), client: "192.0.2.1", now: now, throttle: throttle) {
                admitted.withLock { $0 += 1 }
            }
        }
        #expect(admitted.withLock { $0 } == throttle.freeFailuresPerAccount)
        // Each admitted attempt is counted under the account, the pair and the address.
        #expect(try db.signInFailures(key: "id:aa1-ovh", since: .distantPast).count == throttle.freeFailuresPerAccount)
        #expect(try db.signInFailures(key: "ip:192.0.2.1", since: .distantPast).count == throttle.freeFailuresPerAccount)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func attemptsBeingCheckedCountTowardsTheSuccessLimitToo(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        let lenient = {
            var lenient = throttle
            lenient.freeFailuresPerAccount = 100
            lenient.freeFailuresPerClient = 100
            return lenient
        }()
        let admitted = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            if case .proceed = try? db.beginSignIn(account: cid("aa1-ovh"), client: "192.0.2.1", now: now, throttle: lenient) {
                admitted.withLock { $0 += 1 }
            }
        }
        #expect(admitted.withLock { $0 } == lenient.freeSuccessesPerAccount)
        // An attempt whose process died stops counting after the attempt timeout.
        let later = now + lenient.attemptTimeout + 1
        guard case .proceed = try db.beginSignIn(account: cid("aa1-ovh"), client: "192.0.2.1", now: later, throttle: lenient) else {
            Issue.record("stale attempts still count")
            return
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func anAttemptCountsAsAFailureUntilItSucceeds(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        let pair = SignInThrottle.Key.accountFromClient(cid("aa1-ovh"), "192.0.2.1").storageKey
        _ = try attempt(try begin(db, at: now - 60))
        _ = try attempt(try begin(db, from: "198.51.100.9", at: now - 30))
        let current = try attempt(try begin(db))
        #expect(try db.signInFailures(key: pair, since: .distantPast).count == 2)
        #expect(try db.signInFailures(key: "id:aa1-ovh", since: .distantPast).count == 3)

        try db.recordSignInSuccess(current, now: now)
        // This address's failures for the account are forgiven; the account-wide count keeps the
        // earlier ones (towards its cap), only this attempt leaves it.
        #expect(try db.signInFailures(key: pair, since: .distantPast).count == 0)
        #expect(try db.signInFailures(key: "id:aa1-ovh", since: .distantPast).count == 2)
        #expect(try db.signInFailures(key: "ip:192.0.2.1", since: .distantPast).count == 1)
        #expect(try db.signInSuccesses(of: cid("aa1-ovh"), since: now - 1) == 1)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func anAbandonedAttemptDoesNotCount(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        try db.abandonSignIn(try attempt(try begin(db)))
        #expect(try db.signInFailures(key: "id:aa1-ovh", since: .distantPast).count == 0)
        #expect(try db.signInFailures(key: "ip:192.0.2.1", since: .distantPast).count == 0)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func successesAreCountedAndMakeTheAddressKnown(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        for second in 0..<throttle.freeSuccessesPerAccount {
            try db.recordSignInSuccess(try attempt(try begin(db, at: now + Double(second))), now: now + Double(second))
        }
        let later = now + Double(throttle.freeSuccessesPerAccount)
        #expect(try begin(db, from: "198.51.100.1", at: later) == .wait(SignInWait(seconds: 14, reason: .successes)))

        // A day later, failures from 50 addresses hold back new ones, not the known one.
        let nextDay = now + 86_400
        for index in 0..<throttle.freeFailuresPerAccountFromAllClients {
            try db.recordSignInFailure(try attempt(try begin(db, from: "203.0.113.\(index)", at: nextDay)))
        }
        guard case .wait = try begin(db, from: "203.0.113.250", at: nextDay) else {
            Issue.record("a new address passed the account cap")
            return
        }
        _ = try attempt(try begin(db, from: "192.0.2.1", at: nextDay))
    }

    @Test(arguments: StoreEngineKind.allCases)
    func oldSuccessesArePruned(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh", "bb2-ovh")
        try db.recordSignInSuccess(try attempt(try begin(db, at: now - 86_400 * 40)), now: now - 86_400 * 40)
        try db.recordSignInSuccess(try attempt(try begin(db, "bb2-ovh", at: now - 86_400 * 40)), now: now - 86_400 * 40)
        try db.recordSignInSuccess(try attempt(try begin(db, at: now - 86_400 * 20)), now: now - 86_400 * 20)
        // A new success forgets the account's own successes past the known-client period.
        try db.recordSignInSuccess(try attempt(try begin(db)), now: now)
        #expect(try db.signInSuccesses(of: cid("aa1-ovh"), since: .distantPast) == 2)
        #expect(try db.deleteSignInSuccesses(before: now - 86_400 * 30) == 1)
        #expect(try db.signInSuccesses(of: cid("bb2-ovh"), since: .distantPast) == 0)
    }
}

@Suite struct SessionLimitStoreTests {
    @Test(arguments: StoreEngineKind.allCases)
    func aNewSessionBeyondTheLimitEndsTheOldestInTheSameWrite(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh", "bb2-ovh")
        let limit = SessionLimit(maximumPerAccount: 3)
        let digests = (0..<5).map { Secret.digest("session \($0)") }
        try db.createSession(digest: Secret.digest("other account"), account: cid("bb2-ovh"), now: now - 1_000)
        var ended: [[String]] = []
        for (index, digest) in digests.enumerated() {
            ended.append(try db.createSession(digest: digest, account: cid("aa1-ovh"), now: now + Double(index), limit: limit))
        }
        #expect(ended == [[], [], [], [digests[0]], [digests[1]]])
        #expect(try digests.map { try db.session(digest: $0) != nil } == [false, false, true, true, true])
        #expect(try db.session(digest: Secret.digest("other account")) != nil, "another account's sessions are untouched")
    }
}
