import TemplateRuntime

/// The plain-text email template (`email.mustache`: greeting, paragraphs, signature), compiled
/// into this module at build time, so a broken one fails the build rather than the start.
public struct EmailTemplate: Sendable {
    /// The directory is not read any more (the template is compiled in); the argument stays for
    /// the callers that name the templates folder the catalog comes from.
    public init(directory: String) throws {}

    /// One email body: the template's `CONTENT_TYPE: TEXT` pragma leaves every value unescaped.
    public func render(greeting: String, paragraphs: [String], signature: String) -> String {
        var writer = TemplateWriter(capacity: 1024)
        EmailBody(greeting: greeting, paragraphs: paragraphs, signature: signature).render(into: &writer)
        return writer.string
    }
}
