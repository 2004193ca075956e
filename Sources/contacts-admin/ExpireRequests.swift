import ArgumentParser
import ContactsStore
import Foundation
import Emails
import ProgramSettings

/// Expiry also happens whenever a request is read or acted on; this command applies it to every
/// due request at once (run it from cron), so that everybody involved is told in time.
struct ExpireRequests: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expire-requests",
        abstract: "Expire every contact change request past its window and queue the emails that say so.")

    @OptionGroup var options: DatabaseOptions

    @Option(help: "Directory of the Localizable.xcstrings the emails are worded from. [env: CONTACTS_TEMPLATES] (default: Templates)")
    var templates: String?

    @Option(help: "Base of the absolute links in the emails (as the web application's --public-base-url). [env: CONTACTS_PUBLIC_BASE_URL] (default: http://127.0.0.1:8080)")
    var publicBaseURL: String?

    func run() throws {
        var given: [SettingKey: CommandLineValue] = [:]
        if let templates { given[.templates] = .string(templates) }
        if let publicBaseURL { given[.publicBaseURL] = .string(publicBaseURL) }
        let settings = try options.settings(adding: given)
        let templates: String
        let publicBaseURL: String
        do {
            templates = try settings.string(.templates) ?? "Templates"
            publicBaseURL = try settings.string(.publicBaseURL) ?? "http://127.0.0.1:8080"
        } catch let error as SettingsError {
            throw ValidationError(error.description)
        }
        let emails: RequestEmails
        do {
            emails = try RequestEmails.load(templatesDirectory: templates, publicBaseURL: publicBaseURL)
        } catch {
            throw OperatorError("cannot load the email templates from \(templates): \(error)")
        }
        let expired = try options.openEngine(emails: emails).expireDueRequests(now: Date())
        print("Expired \(expired) request\(expired == 1 ? "" : "s"); their emails are queued for deliver-mail.")
    }
}
