import ContactsDomain
import Credentials
import Foundation
import GRDB
import Testing
@testable import ContactsStore

@Suite struct EmailChangeTests {
    let day: TimeInterval = 24 * 60 * 60

    private func email(_ to: String, _ subject: String) -> OutgoingEmail {
        OutgoingEmail(recipient: cid("aa1-ovh"), toAddress: to, language: .pl, subject: subject, bodyText: "body")
    }

    private func address(_ text: String) -> EmailAddress { try! EmailAddress(parsing: text) }

    private func queued(_ db: any StoreEngine) throws -> [String] {
        try undeliveredEmails(db).map { "\($0.toAddress) \($0.subject)" }
    }

    @Test func aPendingChangeLeavesTheAddressAndQueuesItsEmails() throws {
        // Given an account
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh")
        // When a change is asked for
        let change = try db.requestEmailChange(
            cid("aa1-ovh"), to: address("new@example.net"), tokenDigest: Secret.digest("t1"), lifetime: day, now: now,
            emails: [email("new@example.net", "link"), email("aa1-ovh@example.com", "notice")])
        // Then the address is still the old one, the change waits, and both emails are queued
        #expect(try db.account(cid("aa1-ovh"))?.email.rawValue == "aa1-ovh@example.com")
        #expect(try db.pendingEmailChange(of: cid("aa1-ovh"), now: now) == change)
        #expect(change.expiresAt == now.addingTimeInterval(day))
        #expect(try queued(db) == ["new@example.net link", "aa1-ovh@example.com notice"])
        // And the token is stored only as its digest
        let stored = try db.dbPool.read { try String.fetchAll($0, sql: "SELECT token_digest FROM email_change") }
        #expect(stored == [Secret.digest("t1")])
    }

    @Test(arguments: StoreEngineKind.allCases)
    func confirmingChangesTheAddressOnceAndQueuesItsEmails(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        try db.requestEmailChange(cid("aa1-ovh"), to: address("new@example.net"), tokenDigest: Secret.digest("t1"), lifetime: day, now: now, emails: [])
        // When the link is followed
        let later = now.addingTimeInterval(60)
        let confirmed = try db.confirmEmailChange(
            tokenDigest: Secret.digest("t1"), account: cid("aa1-ovh"), now: later, emails: [email("aa1-ovh@example.com", "done")])
        // Then the address is the new one and nothing is pending any more
        #expect(confirmed.state == .confirmed)
        #expect(try db.account(cid("aa1-ovh"))?.email.rawValue == "new@example.net")
        #expect(try db.pendingEmailChange(of: cid("aa1-ovh"), now: later) == nil)
        #expect(try queued(db) == ["aa1-ovh@example.com done"])
        // And the same link works only once
        #expect(throws: EmailChangeError.alreadyUsed) {
            try db.confirmEmailChange(tokenDigest: Secret.digest("t1"), account: cid("aa1-ovh"), now: later, emails: [email("x@example.com", "again")])
        }
        #expect(try queued(db) == ["aa1-ovh@example.com done"])
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aWrongTokenOrAnotherAccountsTokenChangesNothing(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh", "bb2-ovh")
        try db.requestEmailChange(cid("aa1-ovh"), to: address("new@example.net"), tokenDigest: Secret.digest("t1"), lifetime: day, now: now, emails: [])
        #expect(throws: EmailChangeError.unknownToken) {
            try db.confirmEmailChange(tokenDigest: Secret.digest("t2"), account: cid("aa1-ovh"), now: now, emails: [])
        }
        #expect(throws: EmailChangeError.unknownToken) {
            try db.confirmEmailChange(tokenDigest: Secret.digest("t1"), account: cid("bb2-ovh"), now: now, emails: [])
        }
        #expect(try db.emailChange(tokenDigest: Secret.digest("t1"), account: cid("bb2-ovh")) == nil)
        #expect(try db.account(cid("aa1-ovh"))?.email.rawValue == "aa1-ovh@example.com")
        #expect(try db.account(cid("bb2-ovh"))?.email.rawValue == "bb2-ovh@example.com")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aChangeExpiresAfterItsLifetime(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        try db.requestEmailChange(cid("aa1-ovh"), to: address("new@example.net"), tokenDigest: Secret.digest("t1"), lifetime: day, now: now, emails: [])
        // A second before the end it is still pending; at the end it is not
        #expect(try db.pendingEmailChange(of: cid("aa1-ovh"), now: now.addingTimeInterval(day - 1)) != nil)
        let end = now.addingTimeInterval(day)
        #expect(try db.pendingEmailChange(of: cid("aa1-ovh"), now: end) == nil)
        #expect(throws: EmailChangeError.expired) {
            try db.confirmEmailChange(tokenDigest: Secret.digest("t1"), account: cid("aa1-ovh"), now: end, emails: [])
        }
        #expect(try db.account(cid("aa1-ovh"))?.email.rawValue == "aa1-ovh@example.com")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aNewerChangeReplacesTheOlderOne(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        try db.requestEmailChange(cid("aa1-ovh"), to: address("first@example.net"), tokenDigest: Secret.digest("t1"), lifetime: day, now: now, emails: [])
        let second = try db.requestEmailChange(
            cid("aa1-ovh"), to: address("second@example.net"), tokenDigest: Secret.digest("t2"), lifetime: day,
            now: now.addingTimeInterval(5), emails: [])
        #expect(try db.pendingEmailChange(of: cid("aa1-ovh"), now: now.addingTimeInterval(5)) == second)
        #expect(try db.emailChange(tokenDigest: Secret.digest("t1"), account: cid("aa1-ovh"))?.state == .replaced)
        // The older link no longer works; the newer one does
        #expect(throws: EmailChangeError.alreadyUsed) {
            try db.confirmEmailChange(tokenDigest: Secret.digest("t1"), account: cid("aa1-ovh"), now: now.addingTimeInterval(6), emails: [])
        }
        try db.confirmEmailChange(tokenDigest: Secret.digest("t2"), account: cid("aa1-ovh"), now: now.addingTimeInterval(6), emails: [])
        #expect(try db.account(cid("aa1-ovh"))?.email.rawValue == "second@example.net")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aCancelledChangeCannotBeConfirmed(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        try db.requestEmailChange(cid("aa1-ovh"), to: address("new@example.net"), tokenDigest: Secret.digest("t1"), lifetime: day, now: now, emails: [])
        #expect(try db.cancelEmailChange(of: cid("aa1-ovh"), now: now))
        #expect(try !db.cancelEmailChange(of: cid("aa1-ovh"), now: now))
        #expect(throws: EmailChangeError.alreadyUsed) {
            try db.confirmEmailChange(tokenDigest: Secret.digest("t1"), account: cid("aa1-ovh"), now: now, emails: [])
        }
        #expect(try db.account(cid("aa1-ovh"))?.email.rawValue == "aa1-ovh@example.com")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func theHistoryKeepsEveryAddressWithItsPeriodAndAnswersIntervals(_ kind: StoreEngineKind) throws {
        // Given an account created at `now` whose address changes twice
        guard let store = try kind.makeStore() else { return }
        let db = store.engine
        try db.given(accounts: "aa1-ovh")
        let t1 = now.addingTimeInterval(100), t2 = now.addingTimeInterval(200)
        try db.requestEmailChange(cid("aa1-ovh"), to: address("b@example.net"), tokenDigest: Secret.digest("t1"), lifetime: day, now: now, emails: [])
        try db.confirmEmailChange(tokenDigest: Secret.digest("t1"), account: cid("aa1-ovh"), now: t1, emails: [])
        try db.requestEmailChange(cid("aa1-ovh"), to: address("c@example.net"), tokenDigest: Secret.digest("t2"), lifetime: day, now: t1, emails: [])
        try db.confirmEmailChange(tokenDigest: Secret.digest("t2"), account: cid("aa1-ovh"), now: t2, emails: [])
        // Then the history has the three periods, back to back
        #expect(try db.emailHistory(of: cid("aa1-ovh")) == [
            EmailAddressPeriod(address: address("aa1-ovh@example.com"), validFrom: now, validUntil: t1),
            EmailAddressPeriod(address: address("b@example.net"), validFrom: t1, validUntil: t2),
            EmailAddressPeriod(address: address("c@example.net"), validFrom: t2, validUntil: nil),
        ])
        // And an interval gets every address in force during it, oldest first
        func during(_ start: Date, _ end: Date) throws -> [String] {
            try db.emailAddresses(of: cid("aa1-ovh"), inForceFrom: start, to: end).map(\.rawValue)
        }
        #expect(try during(now, now.addingTimeInterval(50)) == ["aa1-ovh@example.com"])
        #expect(try during(now.addingTimeInterval(50), now.addingTimeInterval(150)) == ["aa1-ovh@example.com", "b@example.net"])
        #expect(try during(now, now.addingTimeInterval(1_000)) == ["aa1-ovh@example.com", "b@example.net", "c@example.net"])
        #expect(try during(now.addingTimeInterval(500), now.addingTimeInterval(600)) == ["c@example.net"])
        // A period ends where the next begins: at t1 exactly, only the new address is in force
        #expect(try during(t1, t1) == ["b@example.net"])
        // Before the account existed, nothing; another account's addresses never appear
        #expect(try during(now.addingTimeInterval(-100), now.addingTimeInterval(-1)) == [])
        #expect(try db.emailAddresses(of: cid("zz9-ovh"), inForceFrom: now, to: t2) == [])
    }

    @Test func v6FillsTheHistoryOfExistingAccounts() throws {
        // Given a database at v5 with an account
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("contacts-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("contacts.sqlite").path
        do {
            let pool = try DatabasePool(path: path, configuration: AppDatabase.makeConfiguration())
            try AppDatabase.migrator.migrate(pool, upTo: "v5")
            try pool.write { db in
                try db.execute(sql: """
                    INSERT INTO account VALUES ('aa1-ovh', 'Ana', 'a@example.pt', 'pt', 'up_to_date', 'h', '2025-01-01 00:00:00.000')
                    """)
            }
        }
        // When it is opened (and migrated to the end)
        let db = try AppDatabase(path: path)
        // Then the account's address is in its history since the account was created
        let created = Date(timeIntervalSince1970: 1_735_689_600)
        #expect(try db.emailHistory(of: cid("aa1-ovh")) == [
            EmailAddressPeriod(address: address("a@example.pt"), validFrom: created, validUntil: nil),
        ])
        #expect(try db.emailAddresses(of: cid("aa1-ovh"), inForceFrom: now, to: now).map(\.rawValue) == ["a@example.pt"])
    }
}
