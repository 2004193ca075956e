import Foundation

/// The view models' stored and computed properties, read from the target's Swift files.
///
/// Only what resolving a template name needs: which struct has which property of which type.
/// A view model is a struct (or final class) whose properties are declared one per line as
/// `let name: Type` or `var name: Type`; the one that renders a template says so with
/// `static let template = "name"`. Nested types are found as well (by their last name).
struct ViewSchema {
    struct ViewType {
        var properties: [String: TypeRef] = [:]
        var template: String?
    }

    indirect enum TypeRef: Equatable {
        case string, bool, int, strings
        case optional(TypeRef)
        case array(TypeRef)
        case named(String)

        init(_ text: String) {
            let text = text.trimmingCharacters(in: .whitespaces)
            if text.hasSuffix("?") {
                self = .optional(TypeRef(String(text.dropLast())))
            } else if text.hasPrefix("["), text.hasSuffix("]") {
                self = .array(TypeRef(String(text.dropFirst().dropLast())))
            } else {
                switch text {
                case "String": self = .string
                case "Bool": self = .bool
                case "Int", "Int64": self = .int
                case "Strings": self = .strings
                default: self = .named(String(text.split(separator: ".").last ?? Substring(text)))
                }
            }
        }
    }

    private(set) var types: [String: ViewType] = [:]

    init(files: [String]) throws {
        for file in files {
            try read(String(contentsOfFile: file, encoding: .utf8))
        }
    }

    /// The view model that renders `template`, if this target has one.
    func viewType(rendering template: String) -> String? {
        types.first { $0.value.template == template }?.key
    }

    private static let declaration = try! NSRegularExpression(
        pattern: #"^\s*(?:public |internal |fileprivate )?(?:final )?(?:struct|class|enum) (\w+)"#)
    private static let property = try! NSRegularExpression(
        pattern: #"^\s*(?:public |internal |private\(set\) |nonisolated )*(?:let|var) (\w+): ([^={]+?)\s*(?:=.*|\{.*)?$"#)
    private static let templateName = try! NSRegularExpression(
        pattern: #"^\s*static let template = "([\w-]+)""#)

    /// Walks the file line by line, tracking brace depth to know which type a line belongs to.
    private mutating func read(_ source: String) {
        var stack: [(name: String, depth: Int)] = []
        var depth = 0
        for line in source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let code = line.components(separatedBy: "//").first ?? line
            if let name = Self.match(Self.declaration, code)?.first {
                stack.append((name, depth))
                if types[name] == nil { types[name] = ViewType() }
            } else if let owner = stack.last, depth == owner.depth + 1 {
                if let template = Self.match(Self.templateName, code)?.first {
                    types[owner.name]?.template = template
                } else if !code.contains("static "), !code.contains("func "),
                          let groups = Self.match(Self.property, code), groups.count == 2 {
                    types[owner.name]?.properties[groups[0]] = TypeRef(groups[1])
                }
            }
            for character in code {
                if character == "{" { depth += 1 }
                if character == "}" {
                    depth -= 1
                    if let owner = stack.last, depth == owner.depth { stack.removeLast() }
                }
            }
        }
    }

    private static func match(_ expression: NSRegularExpression, _ line: String) -> [String]? {
        let range = NSRange(line.startIndex..., in: line)
        guard let result = expression.firstMatch(in: line, range: range) else { return nil }
        return (1..<result.numberOfRanges).compactMap { Range(result.range(at: $0), in: line).map { String(line[$0]) } }
    }
}
