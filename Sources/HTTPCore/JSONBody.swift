import Foundation

/// A request body read as JSON the strict way an API needs: the right content type, a bounded
/// size, well-formed JSON, an object at the top, only the members the operation knows, and each
/// of the expected kind. Every way it can be wrong is a ``Failure`` that maps to one status.
public struct JSONBody {
    public enum Failure: Error, Equatable, Sendable {
        /// Not `application/json` (415).
        case unsupportedMediaType
        /// Over the operation's limit (413).
        case tooLarge(limit: Int)
        /// Not JSON, or JSON whose top is not an object (400).
        case malformed
        /// Members missing, unknown, or of the wrong kind (422), by JSON pointer.
        case invalid([InvalidMember])

        public var status: HTTPStatus {
            switch self {
            case .unsupportedMediaType: HTTPStatus(code: 415, reason: "Unsupported Media Type")
            case .tooLarge: .payloadTooLarge
            case .malformed: .badRequest
            case .invalid: .unprocessableContent
            }
        }
    }

    /// What is wrong with one member; the caller words it for the person reading.
    public struct InvalidMember: Equatable, Sendable {
        public enum Reason: Equatable, Sendable {
            case unknown
            case missing
            case wrongKind(expected: Kind)
            /// The value has the right kind but is not one the operation takes (a caller's check).
            case notAccepted
        }

        public var pointer: String
        public var reason: Reason

        public init(pointer: String, reason: Reason) {
            self.pointer = pointer
            self.reason = reason
        }
    }

    /// The kinds a member may be declared with.
    public enum Kind: Equatable, Sendable {
        case string, integer, boolean
        case stringArray
        case integerArray
        /// A nested object, checked with its own declaration (``object(_:)``, ``validate(_:at:)``).
        case object
    }

    public let members: [String: Any]

    /// An object's members, such as a nested object's (``object(_:)``).
    public init(members: [String: Any]) {
        self.members = members
    }

    /// Reads `request`'s body; `limit` in bytes.
    public static func read(_ request: HTTPRequest, limit: Int) -> Result<JSONBody, Failure> {
        let contentType = request.header("content-type")?
            .split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard contentType == "application/json" else { return .failure(.unsupportedMediaType) }
        guard request.body.count <= limit else { return .failure(.tooLarge(limit: limit)) }
        guard let value = try? JSONSerialization.jsonObject(with: Data(request.body), options: []),
              let object = value as? [String: Any]
        else { return .failure(.malformed) }
        return .success(JSONBody(members: object))
    }

    /// Checks the members against the operation's declaration: name → (kind, required). Every
    /// problem is reported at once, in the order of the names.
    /// `at`: the pointer of this object in the whole body (`/selection`), empty for the top.
    public func validate(_ declaration: [String: (kind: Kind, required: Bool)], at prefix: String = "") -> [InvalidMember] {
        var problems: [InvalidMember] = []
        for name in members.keys.sorted() where declaration[name] == nil {
            problems.append(InvalidMember(pointer: prefix + Self.pointer(name), reason: .unknown))
        }
        for (name, member) in declaration.sorted(by: { $0.key < $1.key }) {
            guard let value = members[name], !(value is NSNull) else {
                if member.required { problems.append(InvalidMember(pointer: prefix + Self.pointer(name), reason: .missing)) }
                continue
            }
            if !Self.has(value, kind: member.kind) {
                problems.append(InvalidMember(pointer: prefix + Self.pointer(name), reason: .wrongKind(expected: member.kind)))
            }
        }
        return problems
    }

    /// A nested object member, to validate with its own declaration.
    public func object(_ name: String) -> JSONBody? {
        (members[name] as? [String: Any]).map(JSONBody.init(members:))
    }

    public func integers(_ name: String) -> [Int]? {
        guard let values = members[name] as? [Any] else { return nil }
        var result: [Int] = []
        for value in values {
            guard let number = value as? NSNumber, !Self.isBoolean(number), let integer = Int(exactly: number.doubleValue) else {
                return nil
            }
            result.append(integer)
        }
        return result
    }

    public func string(_ name: String) -> String? { members[name] as? String }

    public func strings(_ name: String) -> [String]? { members[name] as? [String] }

    public func bool(_ name: String) -> Bool? {
        guard let number = members[name] as? NSNumber, Self.isBoolean(number) else { return nil }
        return number.boolValue
    }

    public func integer(_ name: String) -> Int? {
        guard let number = members[name] as? NSNumber, !Self.isBoolean(number), let value = Int(exactly: number.doubleValue) else {
            return nil
        }
        return value
    }

    /// RFC 6901: `~` and `/` in a name are escaped.
    public static func pointer(_ name: String) -> String {
        "/" + name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    private static func has(_ value: Any, kind: Kind) -> Bool {
        switch kind {
        case .string: return value is String
        case .stringArray: return (value as? [Any])?.allSatisfy { $0 is String } ?? false
        case .integerArray: return (value as? [Any])?.allSatisfy { has($0, kind: .integer) } ?? false
        case .object: return value is [String: Any]
        case .boolean: return (value as? NSNumber).map(isBoolean) ?? false
        case .integer:
            guard let number = value as? NSNumber, !isBoolean(number) else { return false }
            return Int(exactly: number.doubleValue) != nil
        }
    }

    /// JSONSerialization gives booleans and numbers alike as NSNumber; only `true` and `false`
    /// have the C type `char` (numbers are `i`, `q` or `d`).
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
