import ContactsStore
import Localization
import Foundation

/// The request emails for programs other than the web application (the operator's expiry run),
/// written from the same templates and catalog as the pages.
public enum RequestEmailComposer {
    public static func load(templatesDirectory: String, publicBaseURL: String, displayTimeZone: TimeZone = TimeZone(identifier: "UTC")!) throws -> EmailComposer {
        let configuration = AppConfiguration(
            databasePath: "", templatesDirectory: templatesDirectory, publicBaseURL: publicBaseURL, displayTimeZone: displayTimeZone
        )
        let emails = RequestEmails(
            catalog: try Catalog(contentsOf: (templatesDirectory as NSString).appendingPathComponent("Localizable.xcstrings")),
            templates: try TemplateLibrary(directory: templatesDirectory),
            configuration: configuration
        )
        return { emails.compose($0) }
    }
}
