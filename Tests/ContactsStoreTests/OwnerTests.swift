import ContactsDomain
import Credentials
import Foundation
import GRDB
import Testing
@testable import ContactsStore

@Suite struct OwnerTests {
    static let owner = OwnerDetails(
        name: "Anna Kowalska", organisation: nil,
        contact: OwnerContactDetails(
            street: "ul. Długa 45", postalCode: PostalCode(trusted: "80-827"), city: "Gdańsk", country: .poland,
            phone: PhoneNumber(trusted: "+48601234567"), email: EmailAddress(trusted: "anna@example.pl")))

    /// A service with admin aa1, tech bb2, billing cc3 and the owner above.
    private func given() throws -> (AppDatabase, Int64) {
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh", "bb2-ovh", "cc3-ovh")
        let id = try db.addService(
            name: "example.pl", type: .domain, administrative: cid("aa1-ovh"), technical: cid("bb2-ovh"), billing: cid("cc3-ovh"))
        try db.setOwner(Self.owner, ofService: id, now: now)
        return (db, id)
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

    private func queued(_ db: AppDatabase) throws -> [String] {
        try db.pendingEmails(now: now.addingTimeInterval(86_400), limit: 100).map { "\($0.email.toAddress) \($0.email.subject)" }
    }

    @Test func theOperatorSetsTheOwnerWithAHistoryLine() throws {
        let (db, id) = try given()
        let stored = try #require(try db.owner(ofService: id, now: now))
        #expect(stored.details == Self.owner)
        #expect(stored.revision == 1)
        #expect(try db.serviceEvents(ofService: id).map(\.kind) == [.ownerSet])
    }

    @Test func anUpdateAppliesAtOnceButTheNewEmailWaitsForItsLink() throws {
        // Given a service with an owner
        let (db, id) = try given()
        var proposed = Self.owner.contact
        proposed.city = "Sopot"
        proposed.postalCode = PostalCode(trusted: "81-701")
        proposed.email = EmailAddress(trusted: "anna@example.com")
        // When its administrative contact saves an update
        let later = now.addingTimeInterval(60)
        try db.updateOwner(
            ofService: id, by: cid("aa1-ovh"), to: proposed, previewedRevision: 1, tokenDigest: Secret.digest("tok"),
            now: later, emails: mails)
        // Then the city and postal code change, the email waits, and the history says who and what
        let stored = try #require(try db.owner(ofService: id, now: later))
        #expect(stored.details.contact.city == "Sopot")
        #expect(stored.details.contact.email.rawValue == "anna@example.pl")
        #expect(stored.pendingEmail?.rawValue == "anna@example.com")
        #expect(stored.revision == 2)
        let events = try db.serviceEvents(ofService: id)
        #expect(events.last == ServiceEvent(at: later, actor: cid("aa1-ovh"), kind: .ownerUpdated, fields: [.postalCode, .city, .email]))
        // And the owner's previous address, the three contacts and the new address are written to
        #expect(try queued(db) == [
            "anna@example.pl owner", "aa1-ovh@example.com contact", "bb2-ovh@example.com contact",
            "cc3-ovh@example.com contact", "anna@example.com link",
        ])
        // When the link is followed, the email changes once
        let link = try db.confirmOwnerEmail(tokenDigest: Secret.digest("tok"), now: later.addingTimeInterval(60))
        #expect(link.newEmail.rawValue == "anna@example.com")
        #expect(try db.owner(ofService: id, now: later)?.details.contact.email.rawValue == "anna@example.com")
        #expect(try db.owner(ofService: id, now: later)?.pendingEmail == nil)
        #expect(try db.serviceEvents(ofService: id).last?.kind == .ownerEmailConfirmed)
        #expect(throws: OwnerRules.LinkProblem.used) {
            try db.confirmOwnerEmail(tokenDigest: Secret.digest("tok"), now: later.addingTimeInterval(120))
        }
    }

    @Test func theTokenIsStoredOnlyAsItsDigestAndExpiresIn24Hours() throws {
        let (db, id) = try given()
        var proposed = Self.owner.contact
        proposed.email = EmailAddress(trusted: "new@example.pl")
        try db.updateOwner(ofService: id, by: cid("aa1-ovh"), to: proposed, previewedRevision: 1,
                           tokenDigest: Secret.digest("tok"), now: now, emails: mails)
        let digests = try db.dbPool.read { try String.fetchAll($0, sql: "SELECT token_digest FROM owner_email_change") }
        #expect(digests == [Secret.digest("tok")])
        #expect(throws: OwnerRules.LinkProblem.expired) {
            try db.confirmOwnerEmail(tokenDigest: Secret.digest("tok"), now: now.addingTimeInterval(24 * 3600))
        }
        #expect(throws: OwnerRules.LinkProblem.unknown) { try db.confirmOwnerEmail(tokenDigest: Secret.digest("other"), now: now) }
        #expect(try db.owner(ofService: id, now: now)?.details.contact.email.rawValue == "anna@example.pl")
    }

    @Test func aLaterUpdateReplacesThePendingAddress() throws {
        let (db, id) = try given()
        var first = Self.owner.contact
        first.email = EmailAddress(trusted: "one@example.pl")
        try db.updateOwner(ofService: id, by: cid("aa1-ovh"), to: first, previewedRevision: 1,
                           tokenDigest: Secret.digest("t1"), now: now, emails: { _ in [] })
        var second = first
        second.email = EmailAddress(trusted: "two@example.pl")
        try db.updateOwner(ofService: id, by: cid("aa1-ovh"), to: second, previewedRevision: 2,
                           tokenDigest: Secret.digest("t2"), now: now, emails: { _ in [] })
        #expect(throws: OwnerRules.LinkProblem.used) { try db.confirmOwnerEmail(tokenDigest: Secret.digest("t1"), now: now) }
        try db.confirmOwnerEmail(tokenDigest: Secret.digest("t2"), now: now)
        #expect(try db.owner(ofService: id, now: now)?.details.contact.email.rawValue == "two@example.pl")
    }

    @Test(arguments: [
        ("bb2-ovh", 1, OwnerRules.Refusal.notAllowed),
        ("cc3-ovh", 1, .notAllowed),
        ("aa1-ovh", 7, .stale),
    ])
    func aRefusedUpdateWritesNothing(requester: String, revision: Int, refusal: OwnerRules.Refusal) throws {
        let (db, id) = try given()
        var proposed = Self.owner.contact
        proposed.city = "Sopot"
        #expect(throws: OwnerUpdateError.refused(refusal)) {
            try db.updateOwner(ofService: id, by: cid(requester), to: proposed, previewedRevision: revision,
                               tokenDigest: Secret.digest("tok"), now: now, emails: mails)
        }
        #expect(try db.owner(ofService: id, now: now)?.details == Self.owner)
        #expect(try db.serviceEvents(ofService: id).count == 1)
        #expect(try queued(db) == [])
    }

    @Test func theSameDetailsAreRefusedAsNoChange() throws {
        let (db, id) = try given()
        #expect(throws: OwnerUpdateError.refused(.noChange)) {
            try db.updateOwner(ofService: id, by: cid("aa1-ovh"), to: Self.owner.contact, previewedRevision: 1,
                               tokenDigest: Secret.digest("tok"), now: now, emails: mails)
        }
    }

    @Test func theSchemaRefusesDetailsThatBypassTheDomain() throws {
        let (db, id) = try given()
        for (column, value) in [("phone", "601234567"), ("country", "DE"), ("postal_code", "80 827"), ("email", "nobody")] {
            #expect(throws: DatabaseError.self) {
                try db.dbPool.write { try $0.execute(sql: "UPDATE service_owner SET \(column) = ? WHERE service_id = ?", arguments: [value, id]) }
            }
        }
        #expect(throws: DatabaseError.self) {
            try db.dbPool.write { try $0.execute(sql: "UPDATE service_owner SET name = NULL, organisation = NULL") }
        }
    }
}
