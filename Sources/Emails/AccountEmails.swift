import ContactsDomain
import ContactsStore
import Foundation
import Localization

/// The emails of an email address change, each in the account's language. Rendered here and
/// handed to the store, which writes them to the outbox in the transaction of the change.
public struct AccountEmails: Sendable {
    let writer: EmailWriter
    var catalog: Catalog { writer.catalog }
    var linkBase: String { writer.linkBase }

    public init(catalog: Catalog, template: EmailTemplate, publicBaseURL: String, displayTimeZone: TimeZone) {
        writer = EmailWriter(catalog: catalog, template: template, publicBaseURL: publicBaseURL, displayTimeZone: displayTimeZone)
    }

    /// The link, to the new address: the only email that goes there before it is confirmed.
    public func confirmationLink(_ account: Account, newAddress: EmailAddress, token: String, expiresAt: Date) -> OutgoingEmail {
        let language = account.language
        let link = "\(linkBase)/profile/email/confirm?token=\(token)"
        return writer.email(
            to: account, address: newAddress,
            subject: catalog.string("email_address_link_subject", language),
            paragraphs: [
                catalog.string("email_address_link_intro", language, .string(account.id.rawValue)),
                link,
                catalog.string("email_address_link_expires", language, .string(writer.dateTime(expiresAt, for: account))),
                catalog.string("email_address_link_ignore", language),
            ]
        )
    }

    /// To the current address when a change is asked for: what was asked, and how to stop it.
    public func changeRequested(_ account: Account, newAddress: EmailAddress, at date: Date) -> OutgoingEmail {
        let language = account.language
        return writer.email(
            to: account, address: account.email,
            subject: catalog.string("email_address_notice_subject", language),
            paragraphs: [
                catalog.string(
                    "email_address_notice_intro", language,
                    .string(writer.dateTime(date, for: account)), .string(account.id.rawValue), .string(newAddress.rawValue)),
                catalog.string("email_address_notice_until", language),
                catalog.string("email_address_notice_react", language, .string("\(linkBase)/profile")),
            ]
        )
    }

    /// To the old address once the new one is confirmed: the last email it gets.
    public func changed(_ account: Account, newAddress: EmailAddress) -> OutgoingEmail {
        let language = account.language
        return writer.email(
            to: account, address: account.email,
            subject: catalog.string("email_address_changed_subject", language),
            paragraphs: [
                catalog.string("email_address_changed_intro", language, .string(account.id.rawValue), .string(newAddress.rawValue)),
                catalog.string("email_address_changed_react", language),
            ]
        )
    }


}
