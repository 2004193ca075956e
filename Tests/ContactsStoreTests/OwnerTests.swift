import ContactsDomain
import Credentials
import Foundation
import Testing
@testable import ContactsStore

@Suite struct OwnerTests {
    static let owner = OwnerDetails(
        name: "Anna Kowalska", organisation: nil,
        contact: OwnerContactDetails(
            street: "ul. Długa 45", postalCode: PostalCode(trusted: "80-827"), city: "Gdańsk", country: .poland,
            phone: PhoneNumber(trusted: "+48601234567"), email: EmailAddress(trusted: "anna@example.pl")))

    /// A service with admin aa1, tech bb2, billing cc3 and the owner above; nil when PostgreSQL
    /// is not available outside CI.
    private func given(_ kind: StoreEngineKind) throws -> (TestStore, Int64)? {
        guard let store = try kind.makeStore() else { return nil }
        try store.engine.given(accounts: "aa1-ovh", "bb2-ovh", "cc3-ovh")
        let id = try store.engine.addService(
            name: "example.pl", type: .domain, administrative: cid("aa1-ovh"), technical: cid("bb2-ovh"), billing: cid("cc3-ovh"))
        try store.engine.setOwner(Self.owner, ofService: id, now: now)
        return (store, id)
    }

    /// Renders one email per recipient, as OwnerEmails would, so the test sees who is told.
    private func mails(_ mail: OwnerUpdateMail) -> [OutgoingEmail] {
        mail.decision.recipients.map { recipient in
            switch recipient {
            case .owner(let address, let language):
                OutgoingEmail(recipient: mail.onBehalfOf, toAddress: address.rawValue, language: language, subject: "owner", bodyText: "b")
            case .contact(let id):
                OutgoingEmail(recipient: id, toAddress: mail.accounts[id]!.email.rawValue, language: mail.accounts[id]!.language,
                              subject: "contact", bodyText: "b")
            }
        } + (mail.decision.pendingEmail.map {
            [OutgoingEmail(recipient: mail.onBehalfOf, toAddress: $0.rawValue, language: .pl, subject: "link", bodyText: "b")]
        } ?? [])
    }

    /// The emails waiting in the outbox, oldest first (read without claiming them).
    private func queued(_ store: TestStore) throws -> [String] {
        try undeliveredEmails(store.engine).map { "\($0.toAddress) \($0.subject)" }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func theOperatorSetsTheOwnerWithAHistoryLine(_ kind: StoreEngineKind) throws {
        guard let (store, id) = try given(kind) else { return }
        let stored = try #require(try store.engine.owner(ofService: id, now: now))
        #expect(stored.details == Self.owner)
        #expect(stored.revision == 1)
        #expect(try store.engine.serviceEvents(ofService: id).map(\.kind) == [.ownerSet])
    }

    @Test(arguments: StoreEngineKind.allCases)
    func anUpdateAppliesAtOnceButTheNewEmailWaitsForItsLink(_ kind: StoreEngineKind) throws {
        // Given a service with an owner
        guard let (store, id) = try given(kind) else { return }
        var proposed = Self.owner.contact
        proposed.city = "Sopot"
        proposed.postalCode = PostalCode(trusted: "81-701")
        proposed.email = EmailAddress(trusted: "anna@example.com")
        // When its administrative contact saves an update
        let later = now.addingTimeInterval(60)
        try store.engine.updateOwner(
            ofService: id, by: cid("aa1-ovh"), to: proposed, previewedRevision: 1, tokenDigest: Secret.digest("tok"),
            now: later, emails: mails)
        // Then the city and postal code change, the email waits, and the history says who and what
        let stored = try #require(try store.engine.owner(ofService: id, now: later))
        #expect(stored.details.contact.city == "Sopot")
        #expect(stored.details.contact.email.rawValue == "anna@example.pl")
        #expect(stored.pendingEmail?.rawValue == "anna@example.com")
        #expect(stored.revision == 2)
        let events = try store.engine.serviceEvents(ofService: id)
        #expect(events.last == ServiceEvent(at: later, actor: cid("aa1-ovh"), kind: .ownerUpdated, fields: [.postalCode, .city, .email]))
        // And the owner's previous address, the three contacts and the new address are written to
        #expect(try queued(store) == [
            "anna@example.pl owner", "aa1-ovh@example.com contact", "bb2-ovh@example.com contact",
            "cc3-ovh@example.com contact", "anna@example.com link",
        ])
        // When the link is followed, the email changes once
        let link = try store.engine.confirmOwnerEmail(tokenDigest: Secret.digest("tok"), now: later.addingTimeInterval(60))
        #expect(link.newEmail.rawValue == "anna@example.com")
        #expect(try store.engine.owner(ofService: id, now: later)?.details.contact.email.rawValue == "anna@example.com")
        #expect(try store.engine.owner(ofService: id, now: later)?.pendingEmail == nil)
        #expect(try store.engine.serviceEvents(ofService: id).last?.kind == .ownerEmailConfirmed)
        #expect(throws: OwnerRules.LinkProblem.used) {
            try store.engine.confirmOwnerEmail(tokenDigest: Secret.digest("tok"), now: later.addingTimeInterval(120))
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func theTokenIsStoredOnlyAsItsDigestAndExpiresIn24Hours(_ kind: StoreEngineKind) throws {
        guard let (store, id) = try given(kind) else { return }
        var proposed = Self.owner.contact
        proposed.email = EmailAddress(trusted: "new@example.pl")
        try store.engine.updateOwner(ofService: id, by: cid("aa1-ovh"), to: proposed, previewedRevision: 1,
                                     tokenDigest: Secret.digest("tok"), now: now, emails: mails)
        let digests = try store.rows("SELECT token_digest FROM owner_email_change").map { $0["token_digest"]! }
        #expect(digests == [Secret.digest("tok")])
        #expect(throws: OwnerRules.LinkProblem.expired) {
            try store.engine.confirmOwnerEmail(tokenDigest: Secret.digest("tok"), now: now.addingTimeInterval(24 * 3600))
        }
        #expect(throws: OwnerRules.LinkProblem.unknown) { try store.engine.confirmOwnerEmail(tokenDigest: Secret.digest("other"), now: now) }
        #expect(try store.engine.owner(ofService: id, now: now)?.details.contact.email.rawValue == "anna@example.pl")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aLaterUpdateReplacesThePendingAddress(_ kind: StoreEngineKind) throws {
        guard let (store, id) = try given(kind) else { return }
        var first = Self.owner.contact
        first.email = EmailAddress(trusted: "one@example.pl")
        try store.engine.updateOwner(ofService: id, by: cid("aa1-ovh"), to: first, previewedRevision: 1,
                                     tokenDigest: Secret.digest("t1"), now: now, emails: { _ in [] })
        var second = first
        second.email = EmailAddress(trusted: "two@example.pl")
        try store.engine.updateOwner(ofService: id, by: cid("aa1-ovh"), to: second, previewedRevision: 2,
                                     tokenDigest: Secret.digest("t2"), now: now, emails: { _ in [] })
        #expect(throws: OwnerRules.LinkProblem.used) { try store.engine.confirmOwnerEmail(tokenDigest: Secret.digest("t1"), now: now) }
        try store.engine.confirmOwnerEmail(tokenDigest: Secret.digest("t2"), now: now)
        #expect(try store.engine.owner(ofService: id, now: now)?.details.contact.email.rawValue == "two@example.pl")
    }

    @Test(arguments: StoreEngineKind.allCases, [
        ("bb2-ovh", 1, OwnerRules.Refusal.notAllowed),
        ("cc3-ovh", 1, .notAllowed),
        ("aa1-ovh", 7, .stale),
    ])
    func aRefusedUpdateWritesNothing(
        _ kind: StoreEngineKind, _ example: (requester: String, revision: Int, refusal: OwnerRules.Refusal)
    ) throws {
        let (requester, revision, refusal) = example
        guard let (store, id) = try given(kind) else { return }
        var proposed = Self.owner.contact
        proposed.city = "Sopot"
        #expect(throws: OwnerUpdateError.refused(refusal)) {
            try store.engine.updateOwner(ofService: id, by: cid(requester), to: proposed, previewedRevision: revision,
                                         tokenDigest: Secret.digest("tok"), now: now, emails: mails)
        }
        #expect(try store.engine.owner(ofService: id, now: now)?.details == Self.owner)
        #expect(try store.engine.serviceEvents(ofService: id).count == 1)
        #expect(try queued(store) == [])
    }

    @Test(arguments: StoreEngineKind.allCases)
    func theSameDetailsAreRefusedAsNoChange(_ kind: StoreEngineKind) throws {
        guard let (store, id) = try given(kind) else { return }
        #expect(throws: OwnerUpdateError.refused(.noChange)) {
            try store.engine.updateOwner(ofService: id, by: cid("aa1-ovh"), to: Self.owner.contact, previewedRevision: 1,
                                         tokenDigest: Secret.digest("tok"), now: now, emails: mails)
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func theSchemaRefusesDetailsThatBypassTheDomain(_ kind: StoreEngineKind) throws {
        guard let (store, id) = try given(kind) else { return }
        /// The statement fails on a constraint of the schema.
        func expectRefused(_ sql: String, _ parameters: [any TestParameter] = [], sourceLocation: SourceLocation = #_sourceLocation) {
            let error = #expect(throws: (any Error).self, sourceLocation: sourceLocation) { try store.execute(sql, parameters) }
            #expect(error.map(store.isConstraintViolation) == true, "\(String(describing: error))", sourceLocation: sourceLocation)
        }
        for (column, value) in [("phone", "601234567"), ("country", "DE"), ("postal_code", "80 827"), ("email", "nobody")] {
            expectRefused("UPDATE service_owner SET \(column) = $1 WHERE service_id = $2", [value, id])
        }
        expectRefused("UPDATE service_owner SET name = NULL, organisation = NULL")
    }
}
