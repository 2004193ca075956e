import ContactsDomain
import Foundation
import Mustache
import Testing
@testable import Emails

/// The compiled email body gives exactly the text swift-mustache gives for `email.mustache`.
@Suite struct CompiledEmailTests {
    static let templates = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Templates").path

    static let values = [
        "Dzień dobry, Anno", #"<b>"Nowak" & 'Syn'</b> ✎ ąęłóżź ãõç àèì"#,
        String(repeating: "Długi akapit & <coś> \"więcej\" ", count: 80), "",
    ]

    @Test(arguments: values)
    func bodyIsTheEnginesText(value: String) throws {
        let reference = try MustacheTemplate(string: String(contentsOfFile: Self.templates + "/email.mustache", encoding: .utf8))
        for paragraphs in [[], [value], [value, "Drugi akapit.\nZ nową linią.", value]] {
            let compiled = try EmailTemplate(directory: Self.templates)
                .render(greeting: value, paragraphs: paragraphs, signature: "-- \(value)")
            let expected = reference.render(["greeting": value, "paragraphs": paragraphs, "signature": "-- \(value)"] as [String: Any])
            #expect(compiled == expected)
        }
    }
}
