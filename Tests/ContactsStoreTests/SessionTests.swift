import ContactsDomain
import Credentials
import Foundation
import Testing
@testable import ContactsStore

/// Sessions and sign-in failures, on both engines: stored, so that they hold across app hosts.
@Suite struct SessionTests {
    let digest = Secret.digest(Secret.generate())

    @Test(arguments: StoreEngineKind.allCases)
    func createdSessionReadsBack(_ kind: StoreEngineKind) throws {
        // Given an account
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        // When a session is created
        try db.createSession(digest: digest, account: cid("aa1-ovh"), now: now)
        // Then it reads back by digest
        #expect(try db.session(digest: digest)
            == StoredSession(digest: digest, account: cid("aa1-ovh"), createdAt: now, lastSeenAt: now))
        #expect(try db.session(digest: Secret.digest("other")) == nil)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func sessionNeedsAnExistingAccount(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        #expect(throws: StoreError.unknownAccount) {
            try db.createSession(digest: digest, account: cid("zz9-ovh"), now: now)
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func touchMovesLastSeenForwardOnly(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        try db.createSession(digest: digest, account: cid("aa1-ovh"), now: now)
        try db.touchSession(digest: digest, now: now + 600)
        #expect(try db.session(digest: digest)?.lastSeenAt == now + 600)
        #expect(try db.session(digest: digest)?.createdAt == now)
        try db.touchSession(digest: digest, now: now + 60)
        #expect(try db.session(digest: digest)?.lastSeenAt == now + 600)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func deleteEndsOneSession(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        let other = Secret.digest(Secret.generate())
        try db.createSession(digest: digest, account: cid("aa1-ovh"), now: now)
        try db.createSession(digest: other, account: cid("aa1-ovh"), now: now)
        try db.deleteSession(digest: digest)
        #expect(try db.session(digest: digest) == nil)
        #expect(try db.session(digest: other) != nil)
        #expect(try db.deleteSessions(of: cid("aa1-ovh")) == 1)
        #expect(try db.session(digest: other) == nil)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func expiredSessionsAreRemoved(_ kind: StoreEngineKind) throws {
        // Given an idle session, an old but active one, and a fresh one
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        let idle = Secret.digest("idle"), old = Secret.digest("old"), fresh = Secret.digest("fresh")
        try db.createSession(digest: idle, account: cid("aa1-ovh"), now: now - 7_200)
        try db.createSession(digest: old, account: cid("aa1-ovh"), now: now - 86_400 * 2)
        try db.touchSession(digest: old, now: now - 60)
        try db.createSession(digest: fresh, account: cid("aa1-ovh"), now: now - 60)
        // When removing sessions idle for an hour or older than a day
        let removed = try db.deleteSessions(lastSeenBefore: now - 3_600, createdBefore: now - 86_400)
        // Then only the fresh one is left
        #expect(removed == 2)
        #expect(try db.session(digest: idle) == nil)
        #expect(try db.session(digest: old) == nil)
        #expect(try db.session(digest: fresh) != nil)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func malformedDigestsAreRefusedBySchema(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        #expect(throws: (any Error).self) {
            try db.createSession(digest: "not-a-digest", account: cid("aa1-ovh"), now: now)
        }
    }
}

@Suite struct ThrottlingTests {
    @Test(arguments: StoreEngineKind.allCases)
    func failuresAreCountedPerKeyWithinTheWindow(_ kind: StoreEngineKind) throws {
        // Given failures under an account key and two IP keys over time
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.recordSignInFailure(keys: ["id:aa1-ovh", "ip:192.0.2.1"], now: now - 3_600)
        try db.recordSignInFailure(keys: ["id:aa1-ovh", "ip:192.0.2.1"], now: now - 60)
        try db.recordSignInFailure(keys: ["id:aa1-ovh", "ip:192.0.2.9", "ip:192.0.2.9"], now: now - 10)
        // Then counts and latest dates follow the window
        let account = try db.signInFailures(key: "id:aa1-ovh", since: now - 900)
        #expect(account.count == 2)
        #expect(account.latest == now - 10)
        #expect(try db.signInFailures(key: "id:aa1-ovh", since: now - 7_200).count == 3)
        #expect(try db.signInFailures(key: "ip:192.0.2.9", since: now - 900).count == 1)
        let none = try db.signInFailures(key: "ip:198.51.100.7", since: now - 900)
        #expect(none.count == 0)
        #expect(none.latest == nil)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func clearingOneKeyLeavesTheOthers(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.recordSignInFailure(keys: ["id:aa1-ovh", "ip:192.0.2.1"], now: now)
        try db.clearSignInFailures(key: "id:aa1-ovh")
        #expect(try db.signInFailures(key: "id:aa1-ovh", since: now - 60).count == 0)
        #expect(try db.signInFailures(key: "ip:192.0.2.1", since: now - 60).count == 1)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func oldFailuresArePruned(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.recordSignInFailure(keys: ["id:aa1-ovh"], now: now - 86_400 * 2)
        try db.recordSignInFailure(keys: ["id:aa1-ovh"], now: now)
        #expect(try db.deleteSignInFailures(before: now - 86_400) == 1)
        #expect(try db.signInFailures(key: "id:aa1-ovh", since: .distantPast).count == 1)
    }
}
