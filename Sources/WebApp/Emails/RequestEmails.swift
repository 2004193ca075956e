import ContactsDomain
import ContactsStore
import Foundation
import Localization

/// Writes the emails a request's new state calls for, each in its recipient's language.
///
/// The store calls this inside the transaction that changes the request, so the emails commit
/// with the change or not at all. What to send follows from the snapshot alone:
/// fresh codes go to their confirmers; a finished request is told to everybody involved.
struct RequestEmails: Sendable {
    let catalog: Catalog
    let templates: TemplateLibrary
    let configuration: AppConfiguration

    func compose(_ request: RequestSnapshot) -> [OutgoingEmail] {
        if !request.codes.isEmpty {
            return request.confirmations.compactMap { confirmation in
                request.codes[confirmation.confirmer.id].map { confirmationEmail(request, to: confirmation.confirmer, code: $0) }
            }
        }
        guard !request.state.isOpen else { return [] }
        return request.participants.map { outcomeEmail(request, to: $0) }
    }

    private func confirmationEmail(_ request: RequestSnapshot, to recipient: Account, code: String) -> OutgoingEmail {
        let language = recipient.language
        let link = "\(configuration.linkBase)/requests/\(request.id)?code=\(code)"
        return email(
            to: recipient,
            subject: catalog.string("email_confirm_subject", language, .string(request.serviceName)),
            paragraphs: [
                catalog.string("email_confirm_intro", language, .string(request.serviceName)),
                changeLine(request, language) + "\n" + catalog.string("email_requested_by", language, .string(request.requester.nameWithID)),
                catalog.string("email_code_line", language, .string(code)),
                catalog.string("email_link_line", language, .string(link)),
                catalog.string("email_expires_line", language, .string(dateTime(request.expiresAt, language))),
                catalog.string("email_ignore_line", language),
            ]
        )
    }

    private func outcomeEmail(_ request: RequestSnapshot, to recipient: Account) -> OutgoingEmail {
        let language = recipient.language
        let name = CatalogArgument.string(request.serviceName)
        let decisive = request.events.last { $0.kind == request.state.rawValue }
        let actor = decisive?.actor.flatMap { id in request.participants.first { $0.id == id } }
        let actorName = CatalogArgument.string(actor.map(\.nameWithID) ?? "")
        let (subject, intro): (String, String) = switch request.state {
        case .done:
            (catalog.string("email_done_subject", language, name), catalog.string("email_done_intro", language, name))
        case .refused:
            (catalog.string("email_refused_subject", language, name), catalog.string("email_refused_intro", language, actorName, name))
        case .cancelled:
            (catalog.string("email_cancelled_subject", language, name), catalog.string("email_cancelled_intro", language, actorName, name))
        case .expired:
            (catalog.string("email_expired_subject", language, name), catalog.string("email_expired_intro", language, name))
        case .failed, .waiting:
            (
                catalog.string("email_failed_subject", language, name),
                catalog.string(request.failure == .holdersChanged ? "email_failed_holders_intro" : "email_failed_payment_intro", language, name)
            )
        }
        return email(
            to: recipient,
            subject: subject,
            paragraphs: [
                intro,
                changeLine(request, language),
                catalog.string("email_details_link", language, .string("\(configuration.linkBase)/requests/\(request.id)")),
            ]
        )
    }

    private func email(to recipient: Account, subject: String, paragraphs: [String]) -> OutgoingEmail {
        let language = recipient.language
        let body = templates.render("email", [
            "greeting": catalog.string("email_greeting", language, .string(recipient.displayName)),
            "paragraphs": paragraphs,
            "signature": catalog.string("email_signature", language),
        ] as [String: Any])
        return OutgoingEmail(
            recipient: recipient.id, toAddress: recipient.email.rawValue, language: language,
            subject: subject, bodyText: body
        )
    }

    private func changeLine(_ request: RequestSnapshot, _ language: Language) -> String {
        catalog.string(
            "email_change_line", language,
            .string(request.roles.map { catalog.string($0.labelKey, language) }.joined(separator: ", ")),
            .string(request.from.nameWithID), .string(request.to.nameWithID)
        )
    }


    private func dateTime(_ date: Date, _ language: Language) -> String {
        LocalFormat.dateTime(date, language, timeZone: configuration.displayTimeZone)
    }
}
