import Foundation
import Mustache

/// The plain-text email template (`email.mustache`: greeting, paragraphs, signature), parsed
/// once at start; a broken or missing one stops the start with its file and line.
public struct EmailTemplate: Sendable {
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    private let template: MustacheTemplate

    public init(directory: String) throws {
        let path = (directory as NSString).appendingPathComponent("email.mustache")
        guard let text = FileManager.default.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) }) else {
            throw LoadError(description: "template email.mustache: is missing or not UTF-8")
        }
        do {
            template = try MustacheTemplate(string: text)
        } catch let error as MustacheTemplate.ParserError {
            throw LoadError(description: "template email.mustache line \(error.context.lineNumber): \(error.error)")
        }
    }

    /// One email body: the template's `CONTENT_TYPE: TEXT` pragma leaves every value unescaped.
    public func render(greeting: String, paragraphs: [String], signature: String) -> String {
        template.render(["greeting": greeting, "paragraphs": paragraphs, "signature": signature] as [String: Any])
    }
}
