import Foundation
import HTTPCore

/// docs/openapi.json as a test oracle: a response is held to the schema its operation documents
/// for its status and content type. The JSON Schema keywords the document uses are checked
/// (`$ref`, `type` with `null`, `enum`, `required`, `properties`, `additionalProperties`,
/// `items`, `minItems`, `maxItems`, `uniqueItems`, `minimum`, `maximum`, `minLength`,
/// `maxLength`, `pattern`, `oneOf`, `format: date-time`); any other keyword fails the check, so
/// the document cannot grow one that this silently ignores.
struct OpenAPIContract: @unchecked Sendable {
    static let shared = try! OpenAPIContract(
        contentsOf: TestApp.packageRoot.appendingPathComponent("docs/openapi.json"))

    /// Read once, never changed: shared by the tests running at once.
    let document: [String: Any]

    init(contentsOf url: URL) throws {
        document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    /// What is wrong with `response` as the answer of `method` on the documented `path`
    /// (`/contactChanges/{id}`, without `/api/v1`); empty when it conforms. A path or method the
    /// document does not have (a 404 or 405 of the front door) must be a problem document.
    func violations(of response: HTTPResponse, method: String, path: String) -> [String] {
        let operation = ((document["paths"] as? [String: Any])?[path] as? [String: Any])?[method.lowercased()] as? [String: Any]
        guard let operation else {
            return problemViolations(response, allowed: [404, 405])
        }
        let responses = operation["responses"] as? [String: Any] ?? [:]
        guard var documented = responses[String(response.status.code)] as? [String: Any] else {
            return ["\(method) \(path): status \(response.status.code) is not documented"]
        }
        if let reference = documented["$ref"] as? String {
            documented = resolve(reference) as? [String: Any] ?? [:]
        }
        var problems: [String] = []
        if let headers = documented["headers"] as? [String: Any] {
            for (name, header) in headers {
                guard let value = response.header(name) else { continue }
                let schema = (header as? [String: Any])?["schema"] ?? [:]
                let parsed: Any = Int(value).map { $0 as Any } ?? value
                problems += validate(parsed, against: schema, at: "header \(name)")
            }
        }
        guard let content = documented["content"] as? [String: Any] else {
            if !response.body.isEmpty { problems.append("\(method) \(path) \(response.status.code): a body where none is documented") }
            return problems
        }
        let mediaType = response.header("Content-Type")?.split(separator: ";").first.map(String.init) ?? ""
        guard let media = content[mediaType] as? [String: Any] else {
            return problems + ["\(method) \(path) \(response.status.code): content type \(mediaType) is not documented (\(content.keys.sorted()))"]
        }
        guard let body = try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed]) else {
            return problems + ["\(method) \(path) \(response.status.code): the body is not JSON"]
        }
        return problems + validate(body, against: media["schema"] ?? [:], at: "")
    }

    /// A problem document of one of `allowed` statuses.
    func problemViolations(_ response: HTTPResponse, allowed: Set<Int>) -> [String] {
        var problems: [String] = []
        if !allowed.contains(response.status.code) { problems.append("undocumented operation answered \(response.status.code)") }
        if response.header("Content-Type") != "application/problem+json" { problems.append("not application/problem+json") }
        guard let body = try? JSONSerialization.jsonObject(with: Data(response.body)) else { return problems + ["the body is not JSON"] }
        return problems + validate(body, against: ["$ref": "#/components/schemas/Problem"], at: "")
    }

    func resolve(_ reference: String) -> Any? {
        var node: Any? = document
        for part in reference.dropFirst(2).split(separator: "/") {
            node = (node as? [String: Any])?[String(part)]
        }
        return node
    }

    static let knownKeywords: Set<String> = [
        "$ref", "type", "enum", "required", "properties", "additionalProperties", "items", "minItems", "maxItems",
        "uniqueItems", "minimum", "maximum", "minLength", "maxLength", "pattern", "oneOf", "format", "description",
        "examples", "default", "title",
    ]

    /// JSON Schema (2020-12, as OpenAPI 3.1 uses it), for the keywords the document uses.
    func validate(_ value: Any, against schemaValue: Any, at pointer: String) -> [String] {
        guard let schema = schemaValue as? [String: Any] else { return [] }
        let place = pointer.isEmpty ? "/" : pointer
        if let unknown = schema.keys.first(where: { !Self.knownKeywords.contains($0) }) {
            return ["\(place): the checker does not know the keyword \(unknown)"]
        }
        if let reference = schema["$ref"] as? String {
            guard let target = resolve(reference) else { return ["\(place): unresolvable \(reference)"] }
            return validate(value, against: target, at: pointer)
        }
        var problems: [String] = []
        if let types = schema["type"] {
            let allowed = (types as? [String]) ?? [types as? String ?? ""]
            guard allowed.contains(where: { Self.has(value, type: $0) }) else {
                return ["\(place): \(Self.describe(value)) is not of type \(allowed)"]
            }
        }
        if let options = schema["enum"] as? [Any], !options.contains(where: { Self.equal($0, value) }) {
            problems.append("\(place): \(Self.describe(value)) is not one of \(options)")
        }
        if let alternatives = schema["oneOf"] as? [Any] {
            let matching = alternatives.filter { validate(value, against: $0, at: pointer).isEmpty }.count
            if matching != 1 { problems.append("\(place): matches \(matching) of oneOf's schemas, not one") }
        }
        if let string = value as? String {
            if let minimum = schema["minLength"] as? Int, string.count < minimum { problems.append("\(place): shorter than \(minimum)") }
            if let maximum = schema["maxLength"] as? Int, string.count > maximum { problems.append("\(place): longer than \(maximum)") }
            if let pattern = schema["pattern"] as? String, string.range(of: pattern, options: .regularExpression) == nil {
                problems.append("\(place): \(string) does not match \(pattern)")
            }
            if schema["format"] as? String == "date-time", (try? Date.ISO8601FormatStyle().parse(string)) == nil {
                problems.append("\(place): \(string) is not an RFC 3339 date-time")
            }
        }
        if let number = value as? NSNumber, !Self.isBoolean(number) {
            if let minimum = schema["minimum"] as? Double, number.doubleValue < minimum { problems.append("\(place): below \(minimum)") }
            if let maximum = schema["maximum"] as? Double, number.doubleValue > maximum { problems.append("\(place): above \(maximum)") }
        }
        if let array = value as? [Any] {
            if let minimum = schema["minItems"] as? Int, array.count < minimum { problems.append("\(place): fewer than \(minimum) items") }
            if let maximum = schema["maxItems"] as? Int, array.count > maximum { problems.append("\(place): more than \(maximum) items") }
            if schema["uniqueItems"] as? Bool == true {
                for (index, item) in array.enumerated() where array[..<index].contains(where: { Self.equal($0, item) }) {
                    problems.append("\(place): item \(index) repeats an earlier one")
                }
            }
            if let items = schema["items"] {
                for (index, item) in array.enumerated() { problems += validate(item, against: items, at: "\(pointer)/\(index)") }
            }
        }
        if let object = value as? [String: Any] {
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                problems.append("\(place): required member \(name) is missing")
            }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (name, member) in object.sorted(by: { $0.key < $1.key }) {
                if let property = properties[name] {
                    problems += validate(member, against: property, at: "\(pointer)/\(name)")
                } else if let additional = schema["additionalProperties"] {
                    if additional as? Bool == false {
                        problems.append("\(place): member \(name) is not allowed")
                    } else {
                        problems += validate(member, against: additional, at: "\(pointer)/\(name)")
                    }
                }
            }
        }
        return problems
    }

    static func has(_ value: Any, type: String) -> Bool {
        switch type {
        case "null": return value is NSNull
        case "string": return value is String
        case "boolean": return (value as? NSNumber).map(isBoolean) ?? false
        case "integer":
            guard let number = value as? NSNumber, !isBoolean(number) else { return false }
            return number.doubleValue.rounded() == number.doubleValue
        case "number": return (value as? NSNumber).map { !isBoolean($0) } ?? false
        case "array": return value is [Any]
        case "object": return value is [String: Any]
        default: return false
        }
    }

    static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    static func equal(_ lhs: Any, _ rhs: Any) -> Bool {
        if lhs is NSNull || rhs is NSNull { return lhs is NSNull && rhs is NSNull }
        return (lhs as? NSObject)?.isEqual(rhs) ?? false
    }

    static func describe(_ value: Any) -> String {
        let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])
        return data.map { String(decoding: $0, as: UTF8.self) }.map { $0.count > 80 ? String($0.prefix(80)) + "…" : $0 } ?? "\(value)"
    }
}
