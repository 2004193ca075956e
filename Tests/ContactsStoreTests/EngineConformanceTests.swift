import ContactsDomain
import Foundation
import Testing
@testable import ContactsStore

/// The operations both engines provide, run on each: same results, same errors.
@Suite struct EngineConformanceTests {
    private func email(_ recipient: String, subject: String = "Subject") -> OutgoingEmail {
        OutgoingEmail(recipient: cid(recipient), toAddress: "\(recipient)@example.com", language: .pl,
                      subject: subject, bodyText: "your code: 123456")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func accountsAreStoredAndReadBack(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        try store.engine.createAccounts([(makeAccount("aa1-ovh", name: "Łucja Żółć"), someHash),
                                         (makeAccount("bb2-ovh", language: .pt), someHash)], now: now)
        #expect(try store.engine.account(cid("aa1-ovh")) == makeAccount("aa1-ovh", name: "Łucja Żółć"))
        #expect(try store.engine.account(cid("bb2-ovh"))?.language == .pt)
        #expect(try store.engine.account(cid("cc3-ovh")) == nil)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aTakenCustomerIDOrABadDisplayNameIsRefusedAndNothingIsWritten(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        try store.engine.createAccount(makeAccount("aa1-ovh"), passwordHash: someHash, now: now)
        #expect(throws: StoreError.duplicateAccount) {
            try store.engine.createAccounts([(makeAccount("bb2-ovh"), someHash), (makeAccount("aa1-ovh"), someHash)], now: now)
        }
        #expect(try store.engine.account(cid("bb2-ovh")) == nil)
        #expect(throws: StoreError.invalidDisplayName) {
            try store.engine.createAccount(makeAccount("cc3-ovh", name: ""), passwordHash: someHash, now: now)
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func theSchemaIsMigratedOnceAtOpen(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        let applied = try store.engine.appliedMigrations()
        switch kind {
        case .sqlite: #expect(applied.first == "v1" && applied.last == "v10-api-tokens")
        case .postgresql: #expect(applied == ["pg-v1", "pg-v2-api-tokens", "pg-v3-bulk-membership"])
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func dueEmailsAreDeliveredOnceWithTheirBodyErased(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        try store.engine.createAccounts([(makeAccount("aa1-ovh"), someHash), (makeAccount("bb2-ovh"), someHash)], now: now)
        try store.enqueue([email("aa1-ovh", subject: "First"), email("bb2-ovh", subject: "Second")], at: now)
        #expect(try store.engine.pendingEmails(now: now.addingTimeInterval(-1), limit: 10).isEmpty)
        let pending = try store.engine.pendingEmails(now: now, limit: 10)
        #expect(pending.map(\.email.subject) == ["First", "Second"])
        #expect(pending.allSatisfy { $0.createdAt == now && $0.attempts == 0 && $0.email.bodyText == "your code: 123456" })
        try store.engine.markDelivered(emailID: pending[0].id, now: now.addingTimeInterval(1))
        try store.engine.markDelivered(emailID: pending[0].id, now: now.addingTimeInterval(2))
        #expect(try store.engine.outboxCounts() == (pending: 1, delivered: 1))
        // A failure makes the email wait DeliveryPolicy's delay; failing long enough gives it up.
        #expect(try !store.engine.recordDeliveryFailure(emailID: pending[1].id, error: "refused", now: now, giveUpAfter: 60))
        let later = now.addingTimeInterval(DeliveryPolicy.retryDelay(afterFailures: 1))
        #expect(try store.engine.pendingEmails(now: later.addingTimeInterval(-1), limit: 10).isEmpty)
        let retried = try store.engine.pendingEmails(now: later, limit: 10)
        #expect(retried.map(\.attempts) == [1])
        #expect(try store.engine.recordDeliveryFailure(emailID: pending[1].id, error: "refused", now: later.addingTimeInterval(60), giveUpAfter: 60))
        #expect(try store.engine.outboxCounts() == (pending: 0, delivered: 1))
    }

    @Test(arguments: StoreEngineKind.allCases)
    func givenUpEmailsAreListedRetriedAndDeliveredOnesForgotten(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        try store.engine.createAccounts([(makeAccount("aa1-ovh"), someHash)], now: now)
        try store.enqueue([email("aa1-ovh", subject: "Kept failing"), email("aa1-ovh", subject: "Sent")], at: now)
        let pending = try store.engine.pendingEmails(now: now, limit: 10)
        #expect(try store.engine.recordDeliveryFailure(emailID: pending[0].id, error: "mailbox full", now: now, giveUpAfter: 0))
        try store.engine.markDelivered(emailID: pending[1].id, now: now)
        #expect(try store.engine.outboxSummary() == OutboxSummary(pending: 0, delivered: 1, givenUp: 1, oldestPendingCreatedAt: nil))
        #expect(try store.engine.outboxHealth(now: now) == OutboxHealth(pending: 0, oldestPendingAge: nil))
        let givenUp = try store.engine.givenUpEmails(limit: 10)
        #expect(givenUp == [GivenUpEmail(id: pending[0].id, recipient: cid("aa1-ovh"), toAddress: "aa1-ovh@example.com",
                                         givenUpAt: now, attempts: 1, lastError: "mailbox full")])
        // The operator fixed the cause: due at once again.
        #expect(try store.engine.retryGivenUpEmails(now: now + 60) == 1)
        #expect(try store.engine.pendingEmails(now: now + 60, limit: 10).map(\.id) == [pending[0].id])
        #expect(try store.engine.outboxHealth(now: now + 90) == OutboxHealth(pending: 1, oldestPendingAge: 90))
        #expect(try store.engine.deleteDeliveredEmails(deliveredBefore: now + 1) == 1)
        #expect(try store.engine.outboxSummary().delivered == 0)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func lookupsAreCountedPerAskingAccount(_ kind: StoreEngineKind) throws {
        guard let store = try kind.makeStore() else { return }
        try store.engine.given(accounts: "aa1-ovh", "bb2-ovh")
        try store.engine.recordLookup(by: cid("aa1-ovh"), at: now - 120)
        try store.engine.recordLookup(by: cid("aa1-ovh"), at: now - 30)
        let recent = try store.engine.recentLookups(by: cid("aa1-ovh"), since: now - 60)
        #expect(recent.count == 1 && recent.latest == now - 30)
        #expect(try store.engine.recentLookups(by: cid("bb2-ovh"), since: .distantPast).count == 0)
    }
}
