import Foundation

/// Turns parsed templates into Swift that writes into a `TemplateWriter`, reading the view model's
/// properties directly. A name is resolved here, at build time, the way the engine resolves it at
/// run time: the innermost section's value first, then outwards. A name that no view model has
/// is still written out as a property of the innermost one, so that the compiler rejects it;
/// `#sourceLocation` makes that error point at the template's own file and line.
struct CodeGenerator {
    struct GenerationError: Error, CustomStringConvertible {
        let file: String
        let line: Int
        let reason: String
        var description: String { "\(file):\(line): error: \(reason)" }
    }

    typealias TypeRef = ViewSchema.TypeRef

    private struct Scope {
        let expression: String
        let type: TypeRef
    }

    let templates: [String: (path: String, nodes: [Node])]
    let schema: ViewSchema
    private var output = ""
    private var indent = "        "
    private var counter = 0
    /// Where the compiler counts the next generated line, and the template line of the last one.
    private var location: (file: String, line: Int)?
    private var attributed = 1
    /// The page's own scopes come before its layout's when a missing name is reported.
    private var layoutParameter: String?
    private var layoutPath: String?

    init(templates: [String: (path: String, nodes: [Node])], schema: ViewSchema) {
        self.templates = templates
        self.schema = schema
    }

    /// One `render(into:)` method for every template that has a view model in this target.
    mutating func generate() throws -> String {
        output = "// Generated from Templates/*.mustache by the CompileTemplates plugin; do not edit.\nimport TemplateRuntime\n"
        for name in templates.keys.sorted() {
            guard let viewType = schema.viewType(rendering: name), let template = templates[name] else { continue }
            var scopes = [Scope(expression: "self", type: .named(viewType))]
            var parameters = "into out: inout TemplateWriter"
            if let parent = inheritedParent(template.nodes) {
                guard let parentType = schema.viewType(rendering: parent) else {
                    throw GenerationError(file: template.path, line: 1, reason: "no view model declares static let template = \"\(parent)\"")
                }
                let parameter = Self.parameterName(parentType)
                (layoutParameter, layoutPath) = (parameter, templates[parent]?.path)
                parameters += ", \(parameter): \(parentType)"
                scopes.append(Scope(expression: parameter, type: .named(parentType)))
            }
            output += "\nextension \(viewType) {\n    func render(\(parameters)) {\n"
            try emit(template.nodes, file: template.path, scopes: scopes, escaping: true, blocks: [:])
            output += "#sourceLocation()\n    }\n}\n"
            (location, layoutParameter, layoutPath) = (nil, nil, nil)
        }
        return output
    }

    private func inheritedParent(_ nodes: [Node]) -> String? {
        for case .partial(let name, _, .some, _) in nodes { return name }
        return nil
    }

    private static func parameterName(_ type: String) -> String {
        let base = type.hasSuffix("View") ? String(type.dropLast(4)) : type
        return base.prefix(1).lowercased() + base.dropFirst()
    }

    /// One line of code, attributed to `line` of `file`; the directive only where the line the
    /// compiler would count differs.
    private mutating func line(_ code: String, file: String, at line: Int) {
        if location?.file != file || location?.line != line {
            output += "#sourceLocation(file: \(Self.literal(file)), line: \(line))\n"
        }
        output += indent + code + "\n"
        location = (file, line + 1)
        attributed = line
    }

    /// A section whose body never reads its value: bind nothing, or the compiler warns.
    private mutating func unbind(_ variable: String, _ expression: String, after header: Int) {
        let before = String(output.utf8.prefix(header))!
        let after = String(output.utf8.dropFirst(header))!
        let start = before.range(of: indent, options: .backwards)?.lowerBound ?? before.startIndex
        let head = String(before[start...])
        let replaced = head
            .replacingOccurrences(of: "for \(variable) in", with: "for _ in")
            .replacingOccurrences(of: "if let \(variable) = \(expression)", with: "if case .some = \(expression)")
            .replacingOccurrences(of: "do { let \(variable) = \(expression)", with: "do {")
        output = before[..<start] + replaced + after
    }

    private mutating func fresh() -> String {
        counter += 1
        return "v\(counter)"
    }

    private mutating func emit(
        _ nodes: [Node], file: String, scopes: [Scope], escaping initial: Bool, blocks: [String: ([Node], String)]
    ) throws {
        var escaping = initial
        var pendingText = ""
        func flush(_ generator: inout CodeGenerator) {
            if !pendingText.isEmpty {
                // Text cannot fail to compile: it stays under the last tag's location.
                let here = generator.location?.file == file ? generator.attributed : 1
                generator.line("out.write(\(Self.literal(pendingText)))", file: file, at: here)
                pendingText = ""
            }
        }
        for node in nodes {
            switch node {
            case .text(let text):
                pendingText += text
            case .contentType(let type):
                escaping = type == "HTML"
            case .variable(let name, let escaped, let at):
                flush(&self)
                // No value is already-safe HTML: a page never writes one unescaped.
                if !escaped, escaping {
                    throw GenerationError(file: file, line: at, reason: "{{{\(name)}}} would write HTML unescaped; use {{\(name)}}")
                }
                let (expression, type) = resolve(name, scopes, in: file)
                let write = escaping ? "out.escape" : "out.write"
                switch type {
                case .string?, nil: line("\(write)(\(expression))", file: file, at: at)
                case .int?: line("out.write(String(\(expression)))", file: file, at: at)
                case .optional(.string)?:
                    line("if let value = \(expression) { \(write)(value) }", file: file, at: at)
                default:
                    throw GenerationError(file: file, line: at, reason: "{{\(name)}} is not a String, String? or Int")
                }
            case .section(let name, let inverted, let body, let at):
                flush(&self)
                let (expression, type) = resolve(name, scopes, in: file)
                let variable = fresh()
                var inner = scopes
                switch (type, inverted) {
                case (.bool?, false), (nil, false): line("if \(expression) {", file: file, at: at)
                case (.bool?, true), (nil, true): line("if !\(expression) {", file: file, at: at)
                case (.optional(let wrapped)?, false):
                    line("if let \(variable) = \(expression) {", file: file, at: at)
                    inner.append(Scope(expression: variable, type: wrapped))
                case (.optional?, true): line("if case .none = \(expression) {", file: file, at: at)
                case (.array(let element)?, false):
                    line("for \(variable) in \(expression) {", file: file, at: at)
                    inner.append(Scope(expression: variable, type: element))
                case (.array?, true): line("if \(expression).isEmpty {", file: file, at: at)
                case (.string?, false), (.int?, false), (.named?, false):
                    line("do { let \(variable) = \(expression)", file: file, at: at)
                    inner.append(Scope(expression: variable, type: type!))
                case (.string?, true), (.int?, true), (.named?, true):
                    continue  // a value that is there is never falsy
                case (.strings?, _):
                    throw GenerationError(file: file, line: at, reason: "{{#\(name)}} is the catalog, not a value")
                }
                let header = output.utf8.count
                indent += "    "
                try emit(body, file: file, scopes: inner, escaping: escaping, blocks: blocks)
                indent.removeLast(4)
                let written = String(output.utf8.dropFirst(header))!
                if inner.count > scopes.count, !written.contains("\(variable).") && !written.contains("(\(variable))") {
                    unbind(variable, expression, after: header)
                }
                line("}", file: location?.file ?? file, at: location?.file == nil ? at : attributed)
            case .partial(let name, let indentation, let overrides, let at):
                flush(&self)
                guard let partial = templates[name] else {
                    throw GenerationError(file: file, line: at, reason: "no template \(name).mustache")
                }
                guard indentation?.isEmpty ?? true else {
                    throw GenerationError(file: file, line: at, reason: "an indented standalone partial is not supported")
                }
                var merged = blocks
                for (block, body) in overrides ?? [:] where merged[block] == nil { merged[block] = (body, file) }
                try emit(partial.nodes, file: partial.path, scopes: scopes, escaping: true, blocks: merged)
            case .blockExpansion(let name, let defaultBody, let indentation, let at):
                flush(&self)
                guard indentation.isEmpty else {
                    throw GenerationError(file: file, line: at, reason: "an indented block is not supported")
                }
                if let (body, source) = blocks[name] {
                    try emit(body, file: source, scopes: scopes, escaping: escaping, blocks: blocks)
                } else {
                    try emit(defaultBody, file: file, scopes: scopes, escaping: escaping, blocks: blocks)
                }
            case .blockDefinition:
                break
            }
        }
        flush(&self)
    }

    /// The Swift expression and type of a (dotted) name, looked up from the innermost scope out.
    private func resolve(_ name: String, _ scopes: [Scope], in file: String) -> (String, TypeRef?) {
        if name == "." { return (scopes.last!.expression, scopes.last!.type) }
        var parts = name.split(separator: ".").map(String.init)
        let first = parts.removeFirst()
        var found: (String, TypeRef)?
        for scope in scopes.reversed() {
            if case .named(let typeName) = scope.type, let type = schema.types[typeName]?.properties[first] {
                found = ("\(scope.expression).\(first)", type)
                break
            }
        }
        guard var (expression, type) = found else {
            // Named after the view model of the template the name is in: the page's, not its layout's.
            let candidates = scopes.filter { scope in
                guard case .named = scope.type else { return false }
                return file == layoutPath || scope.expression != layoutParameter
            }
            let innermost = candidates.last ?? scopes[0]
            return ("\(innermost.expression).\(([first] + parts).joined(separator: "."))", nil)
        }
        for part in parts {
            switch type {
            case .strings:
                (expression, type) = ("\(expression)[\(Self.literal(part))]", .string)
            case .named(let typeName):
                guard let next = schema.types[typeName]?.properties[part] else { return ("\(expression).\(part)", nil) }
                (expression, type) = ("\(expression).\(part)", next)
            default:
                return ("\(expression).\(part)", nil)
            }
        }
        return (expression, type)
    }

    static func literal(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
