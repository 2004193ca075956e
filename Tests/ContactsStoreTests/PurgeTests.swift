import ContactsDomain
import Foundation
import GRDB
import Testing
@testable import ContactsStore

/// `purge` forgets expired sessions and throttle rows past their window, and nothing else.
@Suite struct PurgeTests {
    static func digest(_ n: Int) -> String { String(format: "%064x", n) }

    @Test(arguments: StoreEngineKind.allCases)
    func expiredSessionsGoAndLiveOnesStay(_ kind: StoreEngineKind) throws {
        // Given four sessions of one account
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        let account = cid("aa1-ovh")
        let minute: TimeInterval = 60
        let sessions: [(digest: String, created: Date, seen: Date)] = [
            (Self.digest(1), now.addingTimeInterval(-5 * minute), now.addingTimeInterval(-1 * minute)),   // live
            (Self.digest(2), now.addingTimeInterval(-40 * minute), now.addingTimeInterval(-31 * minute)), // idle
            (Self.digest(3), now.addingTimeInterval(-13 * 60 * minute), now),                             // too old
            (Self.digest(4), now.addingTimeInterval(-11 * 60 * minute), now.addingTimeInterval(-29 * minute)), // live
        ]
        for session in sessions {
            try db.createSession(digest: session.digest, account: account, now: session.created)
            try db.touchSession(digest: session.digest, now: session.seen)
        }
        // When purging
        let counts = try db.purge(now: now)
        // Then the idle and the too old one are gone, the two live ones stay
        #expect(counts.sessions == 2)
        #expect(try db.session(digest: Self.digest(1)) != nil)
        #expect(try db.session(digest: Self.digest(2)) == nil)
        #expect(try db.session(digest: Self.digest(3)) == nil)
        #expect(try db.session(digest: Self.digest(4)) != nil)
    }

    @Test func throttleRowsPastTheirWindowGoAndCountingOnesStay() throws {
        // Given failed sign-ins and wrong codes, some older than the 15-minute window
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        let old = now.addingTimeInterval(-16 * 60)
        let recent = now.addingTimeInterval(-14 * 60)
        try world.db.recordSignInFailure(keys: ["id:aa1-ovh", "ip:192.0.2.1"], now: old)
        try world.db.recordSignInFailure(keys: ["id:aa1-ovh"], now: recent)
        try world.db.dbPool.write { db in
            for time in [old, old, recent] {
                var failure = CodeFailureRecord(id: nil, requestID: request.id, account: world.admin.rawValue, failedAt: time)
                try failure.insert(db)
            }
        }
        let emails = try world.outbox(request: request.id).count
        // When purging
        let counts = try world.db.purge(now: now)
        // Then only the rows that still count for a throttle are left, and the request is untouched
        #expect(counts == PurgeCounts(sessions: 0, signInFailures: 2, codeFailures: 2))
        #expect(try world.db.signInFailures(key: "id:aa1-ovh", since: .distantPast).count == 1)
        #expect(try world.db.signInFailures(key: "ip:192.0.2.1", since: .distantPast).count == 0)
        let codeFailures = try world.db.dbPool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM code_failure") }
        #expect(codeFailures == 1)
        #expect(try world.state(of: request.id) == "waiting")
        #expect(try world.outbox(request: request.id).count == emails)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func purgingTwiceRemovesNothingMore(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        try db.recordSignInFailure(keys: ["id:aa1-ovh"], now: now.addingTimeInterval(-3_600))
        #expect(try db.purge(now: now).signInFailures == 1)
        #expect(try db.purge(now: now) == PurgeCounts())
    }

    @Test func thePolicyMatchesTheThrottlesWindows() {
        #expect(PurgePolicy().throttleWindow == SignInThrottle().window)
        #expect(PurgePolicy().throttleWindow >= RequestPolicy.wrongCodeThrottle.window)
        #expect(PurgePolicy().lookupWindow == RequestPolicy.lookupThrottle.window)
    }
}
