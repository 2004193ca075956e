import ContactsDomain
import ContactsStore
import Foundation
import Localization

/// The emails of an update of a service owner's details, each in its reader's language: the
/// owner's in its country's language, a contact's in the account's. Rendered here and written
/// by the store to the outbox in the update's transaction.
public struct OwnerEmails: Sendable {
    let writer: EmailWriter
    var catalog: Catalog { writer.catalog }
    var linkBase: String { writer.linkBase }

    public init(catalog: Catalog, template: EmailTemplate, publicBaseURL: String, displayTimeZone: TimeZone) {
        writer = EmailWriter(catalog: catalog, template: template, publicBaseURL: publicBaseURL, displayTimeZone: displayTimeZone)
    }

    /// Every email an update sends: the notice to each recipient the domain chose, and the link
    /// to a new owner address when there is one (`token` is its secret).
    public func update(_ mail: OwnerUpdateMail, at date: Date, token: String) -> [OutgoingEmail] {
        var emails = mail.decision.recipients.compactMap { recipient -> OutgoingEmail? in
            switch recipient {
            case .owner(let address, let language):
                return notice(mail, at: date, language: language, timeZone: language.defaultTimeZone,
                              greetingName: mail.before.displayName, recipient: mail.onBehalfOf, address: address)
            case .contact(let id):
                guard let account = mail.accounts[id] else { return nil }
                return notice(mail, at: date, language: account.language, timeZone: account.timeZone,
                              greetingName: account.displayName, recipient: id, address: account.email)
            }
        }
        if let pending = mail.decision.pendingEmail {
            emails.append(link(mail, to: pending, token: token, expiresAt: date.addingTimeInterval(OwnerRules.emailLinkLifetime)))
        }
        return emails
    }

    private func notice(
        _ mail: OwnerUpdateMail, at date: Date, language: Language, timeZone: String, greetingName: String,
        recipient: CustomerID, address: EmailAddress
    ) -> OutgoingEmail {
        let before = mail.before.contact
        let after = mail.decision.applied
        var paragraphs = [
            catalog.string("owner_email_updated_intro", language, .string(mail.serviceName), .string(writer.dateTime(date, language, zone: timeZone))),
            catalog.string("owner_email_updated_by", language, .string("\(mail.requester.displayName) (\(mail.requester.id.rawValue))")),
            mail.decision.changedFields.map { field in
                let new = field == .email ? (mail.decision.pendingEmail?.rawValue ?? after[field]) : after[field]
                return catalog.string(
                    "owner_email_change_line", language, .string(catalog.string(field.labelKey, language)),
                    .string(before[field]), .string(new))
            }.joined(separator: "\n"),
        ]
        if let pending = mail.decision.pendingEmail {
            paragraphs.append(catalog.string("owner_email_updated_pending", language, .string(pending.rawValue)))
        }
        paragraphs.append(catalog.string("owner_email_updated_react", language, .string("\(linkBase)/services/\(mail.serviceID)")))
        return writer.email(
            recipient: recipient, address: address, language: language, greetingName: greetingName,
            subject: catalog.string("owner_email_updated_subject", language, .string(mail.serviceName)),
            paragraphs: paragraphs)
    }

    /// The link, to the new address only, in the owner's language.
    private func link(_ mail: OwnerUpdateMail, to address: EmailAddress, token: String, expiresAt: Date) -> OutgoingEmail {
        let language = mail.before.country.language
        return writer.email(
            recipient: mail.onBehalfOf, address: address, language: language, greetingName: mail.before.displayName,
            subject: catalog.string("owner_email_link_subject", language, .string(mail.serviceName)),
            paragraphs: [
                catalog.string("owner_email_link_intro", language, .string(mail.serviceName)),
                "\(linkBase)/owner-email/confirm?token=\(token)",
                catalog.string("email_address_link_expires", language, .string(writer.dateTime(expiresAt, language, zone: language.defaultTimeZone))),
                catalog.string("owner_email_link_ignore", language),
            ])
    }


}

extension OwnerField {
    /// The field's label in forms, previews and emails.
    public var labelKey: String { "owner_field_\(rawValue)" }
}

extension OwnerDetails {
    /// The name to greet and show: the person, or the organisation, or both.
    public var displayName: String {
        switch (name, organisation) {
        case let (name?, organisation?): "\(name), \(organisation)"
        case let (name?, nil): name
        case let (nil, organisation?): organisation
        case (nil, nil): ""
        }
    }
}
