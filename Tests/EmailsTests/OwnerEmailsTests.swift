import ContactsDomain
import ContactsStore
import Emails
import Foundation
import Localization
import Testing

/// The owner emails' wording, from the real catalog and text template.
@Suite struct OwnerEmailsTests {
    let catalog = try! Catalog(contentsOf: RequestEmailsTests.templates + "/Localizable.xcstrings")
    var emails: OwnerEmails {
        OwnerEmails(
            catalog: catalog, template: try! EmailTemplate(directory: RequestEmailsTests.templates),
            publicBaseURL: "https://contacts.example.com/", displayTimeZone: TimeZone(identifier: "Europe/Rome")!)
    }

    let admin = RequestEmailsTests.account("aa1-ovh", "Anna Nowak", .pl)
    let tech = RequestEmailsTests.account("bb2-ovh", "João Silva", .pt)

    func mail(newEmail: String?) -> OwnerUpdateMail {
        let before = OwnerContactDetails(
            street: "Via del Corso 101", postalCode: PostalCode(trusted: "00186"), city: "Roma", country: .italy,
            phone: PhoneNumber(trusted: "+390612345678"), email: EmailAddress(trusted: "titolare@example.it"))
        var proposed = before
        proposed.city = "Milano"
        proposed.postalCode = PostalCode(trusted: "20124")
        if let newEmail { proposed.email = EmailAddress(trusted: newEmail) }
        let facts = OwnerRules.UpdateFacts(
            holders: RoleHolders(administrative: admin.id, technical: tech.id, billing: admin.id),
            owner: OwnerDetails(name: nil, organisation: "Trattoria Roma S.r.l.", contact: before), revision: 1)
        let decision = try! OwnerRules.decideUpdate(requester: admin.id, proposed: proposed, previewedRevision: 1, facts: facts).get()
        return OwnerUpdateMail(
            serviceID: 7, serviceName: "trattoria-roma.it", before: facts.owner, decision: decision, requester: admin,
            accounts: [admin.id: admin, tech.id: tech], onBehalfOf: admin.id)
    }

    @Test func theOwnerIsToldInItalianAndEachContactInItsLanguage() {
        let sent = emails.update(mail(newEmail: nil), at: Date(timeIntervalSince1970: 1_800_000_000), token: "unused")
        #expect(sent.map(\.toAddress) == ["titolare@example.it", "aa1-ovh@example.com", "bb2-ovh@example.com"])
        #expect(sent.map(\.language) == [.it, .pl, .pt])
        let owner = sent[0]
        #expect(owner.recipient == admin.id)
        #expect(owner.bodyText.hasPrefix(catalog.string("email_greeting", .it, .string("Trattoria Roma S.r.l."))))
        #expect(owner.bodyText.contains("CAP: 00186 → 20124"))
        #expect(owner.bodyText.contains("Città: Roma → Milano"))
        #expect(owner.bodyText.contains("Anna Nowak (aa1-ovh)"))
        #expect(owner.bodyText.contains("https://contacts.example.com/services/7"))
        #expect(!owner.subject.contains("\n") && owner.subject.contains("trattoria-roma.it"))
        #expect(sent[2].bodyText.contains("Localidade: Roma → Milano"))
    }

    @Test func aNewAddressGetsOnlyTheLinkAndTheOthersAreToldItWaits() {
        let sent = emails.update(mail(newEmail: "nuovo@example.it"), at: Date(timeIntervalSince1970: 1_800_000_000), token: "TOKEN")
        #expect(sent.map(\.toAddress) == ["titolare@example.it", "aa1-ovh@example.com", "bb2-ovh@example.com", "nuovo@example.it"])
        let link = sent[3]
        #expect(link.language == .it)
        #expect(link.bodyText.contains("https://contacts.example.com/owner-email/confirm?token=TOKEN"))
        #expect(sent.prefix(3).allSatisfy { !$0.bodyText.contains("TOKEN") })
        #expect(sent[0].bodyText.contains(catalog.string("owner_email_updated_pending", .it, .string("nuovo@example.it"))))
    }
}
