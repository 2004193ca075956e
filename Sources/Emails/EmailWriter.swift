import ContactsDomain
import ContactsStore
import Foundation
import Localization

/// What every email of the product shares: the catalog, the text template (greeting,
/// paragraphs, signature), the base of its links and how it writes a time.
struct EmailWriter: Sendable {
    let catalog: Catalog
    let template: EmailTemplate
    /// The base of every link, without a trailing slash.
    let linkBase: String
    /// For a zone the system does not know (none is stored that way; a safe default).
    let fallbackTimeZone: TimeZone

    init(catalog: Catalog, template: EmailTemplate, publicBaseURL: String, displayTimeZone: TimeZone) {
        self.catalog = catalog
        self.template = template
        self.linkBase = publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL
        self.fallbackTimeZone = displayTimeZone
    }

    /// One email in `language`, greeting `greetingName`.
    func email(
        recipient: CustomerID, address: EmailAddress, language: Language, greetingName: String,
        subject: String, paragraphs: [String]
    ) -> OutgoingEmail {
        let body = template.render(
            greeting: catalog.string("email_greeting", language, .string(greetingName)),
            paragraphs: paragraphs,
            signature: catalog.string("email_signature", language))
        return OutgoingEmail(recipient: recipient, toAddress: address.rawValue, language: language, subject: subject, bodyText: body)
    }

    /// To an account, at its address, in its language.
    func email(to account: Account, address: EmailAddress? = nil, subject: String, paragraphs: [String]) -> OutgoingEmail {
        email(recipient: account.id, address: address ?? account.email, language: account.language,
              greetingName: account.displayName, subject: subject, paragraphs: paragraphs)
    }

    /// A time in the reader's zone, named (SPEC "Times").
    func dateTime(_ date: Date, _ language: Language, zone: String) -> String {
        LocalFormat.zonedDateTime(date, language, timeZone: TimeZone(identifier: zone) ?? fallbackTimeZone)
    }

    func dateTime(_ date: Date, for account: Account) -> String {
        dateTime(date, account.language, zone: account.timeZone)
    }
}
