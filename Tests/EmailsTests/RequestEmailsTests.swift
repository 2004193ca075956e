import ContactsDomain
import ContactsStore
import Emails
import Foundation
import Localization
import Testing

/// The request emails' wording, rendered from the real catalog and text template.
@Suite struct RequestEmailsTests {
    static let templates = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Templates").path

    let emails = try! RequestEmails.load(templatesDirectory: templates, publicBaseURL: "https://contacts.example.com/")

    static func account(_ id: String, _ name: String, _ language: Language) -> Account {
        Account(
            id: CustomerID(trusted: id), displayName: name, email: EmailAddress(trusted: "\(id)@example.com"),
            language: language, paymentStatus: .upToDate)
    }

    let asker = account("aa1-ovh", "Anna Nowak", .pl)
    let newcomer = account("dd4-ovh", "João Silva", .pt)

    func request(state: RequestState = .waiting, events: [RequestEventSnapshot] = []) -> RequestSnapshot {
        let old = Self.account("bb2-ovh", "Giulia Bianchi", .it)
        return RequestSnapshot(
            id: 42, serviceID: 7, serviceName: "example.pl", serviceType: .domain, roles: [.technical],
            from: old, to: newcomer, requester: asker, state: state,
            requestedAt: Date(timeIntervalSince1970: 1_800_000_000), decidedAt: nil,
            expiresAt: Date(timeIntervalSince1970: 1_801_209_600), lastResentAt: nil, failure: nil,
            confirmations: [.init(confirmer: asker, acceptedAt: nil), .init(confirmer: newcomer, acceptedAt: nil)],
            events: events)
    }

    @Test func aCodeEmailCarriesTheCodeAndTheLinkThatFillsItIn() {
        let email = emails.compose(.code, to: newcomer, code: "CODE-123", about: request())
        #expect(email.recipient == newcomer.id && email.toAddress == "dd4-ovh@example.com" && email.language == .pt)
        #expect(email.bodyText.contains("CODE-123"))
        #expect(email.bodyText.contains("https://contacts.example.com/requests/42?code=CODE-123"))
        #expect(email.subject.contains("example.pl") && !email.subject.contains("\n"))
        #expect(email.bodyText.hasPrefix("Olá, João Silva") || email.bodyText.contains("João Silva"))
    }

    @Test func anOutcomeEmailIsInTheRecipientsLanguageWithoutACode() throws {
        let catalog = try Catalog(contentsOf: Self.templates + "/Localizable.xcstrings")
        let done = request(state: .done)
        for (recipient, language) in [(asker, Language.pl), (newcomer, .pt)] {
            let email = emails.compose(.outcome, to: recipient, code: nil, about: done)
            #expect(email.language == language)
            #expect(email.subject == catalog.string("email_done_subject", language, .string("example.pl")))
            #expect(email.bodyText.contains("https://contacts.example.com/requests/42"))
            #expect(!email.bodyText.contains("?code="))
        }
    }
}
