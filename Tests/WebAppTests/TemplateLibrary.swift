import Foundation
import Mustache
@testable import WebApp

/// The `.mustache` files of a folder, parsed by swift-mustache: the reference the compiled
/// templates are held to (``ReferenceRendering``).
struct TemplateLibrary: Sendable {
    struct LoadError: Error, CustomStringConvertible {
        let file: String
        let line: Int?
        let reason: String
        var description: String {
            "template \(file)\(line.map { " line \($0)" } ?? ""): \(reason)"
        }
    }

    private let library: MustacheLibrary

    init(directory: String) throws {
        // Before parsing: the layout's CONTENT_TYPE pragma is resolved when it is parsed.
        ReferenceEscaping.register
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".mustache") }
            .sorted()
        var templates: [String: MustacheTemplate] = [:]
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file)
            guard let text = FileManager.default.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) }) else {
                throw LoadError(file: file, line: nil, reason: "cannot be read as UTF-8")
            }
            do {
                templates[String(file.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
            } catch let error as MustacheTemplate.ParserError {
                throw LoadError(file: file, line: error.context.lineNumber, reason: "\(error.error)")
            }
        }
        library = MustacheLibrary(templates: templates)
    }

    func has(_ name: String) -> Bool {
        library.getTemplate(named: name) != nil
    }

    /// Renders `name`; every name used is a literal in this module and checked at start.
    func render(_ name: String, _ context: Any) -> String {
        guard let output = library.render(context, withTemplate: name) else {
            preconditionFailure("template \(name) was checked at start")
        }
        return output
    }
}

/// The pages' escaping as the engine's `HTML` content type, as the application registered it
/// when swift-mustache rendered the pages.
struct ReferenceEscaping: MustacheContentType {
    func escapeText(_ text: String) -> String { HTMLEscaping.escape(text) }

    static let register: Void = {
        MustacheContentTypes.register(ReferenceEscaping(), named: "HTML")
    }()
}
