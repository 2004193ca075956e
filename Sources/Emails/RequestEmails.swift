import ContactsDomain
import ContactsStore
import Foundation
import Localization

/// Writes the request emails, each in its recipient's language, from the catalog and the text
/// template. The store calls it for every email a request decision calls for, inside the
/// transaction of the change; which emails those are is the domain's decision.
public struct RequestEmails: RequestEmailComposer {
    let writer: EmailWriter
    var catalog: Catalog { writer.catalog }
    var linkBase: String { writer.linkBase }

    public init(catalog: Catalog, template: EmailTemplate, publicBaseURL: String, displayTimeZone: TimeZone) {
        writer = EmailWriter(catalog: catalog, template: template, publicBaseURL: publicBaseURL, displayTimeZone: displayTimeZone)
    }

    /// Catalog and template from the templates folder.
    public static func load(
        templatesDirectory: String, publicBaseURL: String, displayTimeZone: TimeZone = TimeZone(identifier: "UTC")!
    ) throws -> RequestEmails {
        RequestEmails(
            catalog: try Catalog(contentsOf: (templatesDirectory as NSString).appendingPathComponent("Localizable.xcstrings")),
            template: try EmailTemplate(directory: templatesDirectory),
            publicBaseURL: publicBaseURL, displayTimeZone: displayTimeZone)
    }

    public func compose(
        _ kind: RequestDecision.Email.Kind, to recipient: Account, code: String?, about request: RequestSnapshot
    ) -> OutgoingEmail {
        switch kind {
        case .code: confirmationEmail(request, to: recipient, code: code ?? "")
        case .outcome: outcomeEmail(request, to: recipient)
        }
    }

    private func confirmationEmail(_ request: RequestSnapshot, to recipient: Account, code: String) -> OutgoingEmail {
        let language = recipient.language
        let link = "\(linkBase)/requests/\(request.id)?code=\(code)"
        return writer.email(
            to: recipient,
            subject: catalog.string("email_confirm_subject", language, .string(request.serviceName)),
            paragraphs: [
                catalog.string("email_confirm_intro", language, .string(request.serviceName)),
                changeLine(request, language) + "\n" + catalog.string("email_requested_by", language, .string(request.requester.nameWithID)),
                catalog.string("email_code_line", language, .string(code)),
                catalog.string("email_link_line", language, .string(link)),
                catalog.string("email_expires_line", language, .string(writer.dateTime(request.expiresAt, for: recipient))),
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
        return writer.email(
            to: recipient,
            subject: subject,
            paragraphs: [
                intro,
                changeLine(request, language),
                catalog.string("email_details_link", language, .string("\(linkBase)/requests/\(request.id)")),
            ]
        )
    }


    private func changeLine(_ request: RequestSnapshot, _ language: Language) -> String {
        catalog.string(
            "email_change_line", language,
            .string(request.roles.map { catalog.string($0.labelKey, language) }.joined(separator: ", ")),
            .string(request.from.nameWithID), .string(request.to.nameWithID)
        )
    }

}
