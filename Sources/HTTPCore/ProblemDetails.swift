import Foundation

/// An API error as RFC 9457 `application/problem+json`: a stable `type` a script can branch on,
/// the status, and a `detail` for a person (localized by the caller).
public struct ProblemDetails: Equatable, Sendable {
    public static let contentType = "application/problem+json"
    /// Where the problem types live; each `type` is this base and a stable slug.
    public static let typeBase = "https://service-contacts.example/problems/"

    /// The slug (`invalid-body`, `rate-limited`, ...); ``type`` is the absolute URI.
    public var slug: String
    public var status: HTTPStatus
    /// A short, localized summary of the problem type.
    public var title: String
    /// A localized explanation of this occurrence.
    public var detail: String
    /// For a body that does not validate: the members at fault (a JSON pointer each) and why.
    public var invalidFields: [InvalidField]

    public struct InvalidField: Equatable, Sendable {
        /// RFC 6901 JSON pointer into the request body, e.g. `/contactTypes/0`.
        public var pointer: String
        public var detail: String

        public init(pointer: String, detail: String) {
            self.pointer = pointer
            self.detail = detail
        }
    }

    public init(slug: String, status: HTTPStatus, title: String, detail: String, invalidFields: [InvalidField] = []) {
        self.slug = slug
        self.status = status
        self.title = title
        self.detail = detail
        self.invalidFields = invalidFields
    }

    public var type: String { Self.typeBase + slug }

    /// The document, members in a fixed order so that responses are byte-stable.
    public var json: [UInt8] {
        var members: [(String, Any)] = [("type", type), ("title", title), ("status", status.code), ("detail", detail)]
        if !invalidFields.isEmpty {
            members.append(("errors", invalidFields.map { ["pointer": $0.pointer, "detail": $0.detail] }))
        }
        return JSONText.object(members)
    }

    /// The response: the status, the problem document, and `Content-Language` of its detail.
    public func response(language: String, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [("Content-Type", Self.contentType), ("Content-Language", language)] + headers,
            body: json)
    }
}

/// JSON text from Foundation values, object members in the order given and keys sorted below
/// them, so that the same value is always the same bytes.
public enum JSONText {
    public static func object(_ members: [(String, Any)]) -> [UInt8] {
        var output: [UInt8] = [UInt8(ascii: "{")]
        for (index, member) in members.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            output += encode(member.0)
            output.append(UInt8(ascii: ":"))
            output += encode(member.1)
        }
        output.append(UInt8(ascii: "}"))
        return output
    }

    /// One value: strings, numbers, booleans, `NSNull`, arrays and dictionaries of them.
    public static func encode(_ value: Any) -> [UInt8] {
        let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys, .withoutEscapingSlashes])
        // `[value]` and then the brackets off: JSONSerialization wants a collection at the top.
        guard let data, data.count >= 2 else { return Array("null".utf8) }
        return Array(data.dropFirst().dropLast())
    }
}
