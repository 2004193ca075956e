import HTTPCore

/// Turns the parameters a web server sends with a FastCGI request into an `HTTPRequest`.
///
/// Pure: no sockets and no C, so every rule here is unit-tested. `nil` means the parameters
/// are missing something essential or are malformed, and the caller answers 400.
public enum FastCGIRequestMapping {
    public static func request(parameters: [String: String], body: [UInt8]) -> HTTPRequest? {
        guard let method = parameters["REQUEST_METHOD"], isToken(method) else { return nil }
        guard let target = parameters["REQUEST_URI"], let (rawPath, rawQuery) = splitTarget(target) else {
            return nil
        }
        // The query from REQUEST_URI is the one the browser sent; QUERY_STRING is only a fallback
        // for servers that leave it out of REQUEST_URI.
        let query: String
        if let rawQuery {
            query = rawQuery
        } else if let fallback = parameters["QUERY_STRING"], fallback.utf8.allSatisfy(isTargetByte) {
            query = fallback
        } else {
            query = ""
        }

        var headers = Self.headers(parameters: parameters)
        // CONTENT_TYPE and CONTENT_LENGTH come without the HTTP_ prefix (CGI/1.1).
        if let contentType = parameters["CONTENT_TYPE"], !contentType.isEmpty {
            headers["content-type"] = contentType
        } else {
            headers["content-type"] = nil
        }
        switch contentLength(parameters["CONTENT_LENGTH"]) {
        case .none:
            headers["content-length"] = nil
            guard body.isEmpty else { return nil }
        case .some(.some(let length)):
            guard length == body.count else { return nil }
            headers["content-length"] = String(length)
        case .some(.none):
            return nil
        }

        return HTTPRequest(
            method: method,
            rawPath: rawPath,
            rawQuery: query,
            headers: headers,
            body: body,
            remoteAddress: parameters["REMOTE_ADDR"] ?? ""
        )
    }

    /// The request's HTTP headers (`HTTP_ACCEPT_LANGUAGE` → `accept-language`), also for
    /// requests too broken to map, so that even their error page speaks the visitor's language.
    ///
    /// Only CGI-form names (`HTTP_` then upper-case letters, digits and `_`, as web servers send
    /// them) become headers: each header then comes from exactly one parameter, so the result
    /// never depends on the order the parameters come in (`HTTP_COOKIE` against `HTTP_cookie`).
    public static func headers(parameters: [String: String]) -> [String: String] {
        var headers: [String: String] = [:]
        for (name, value) in parameters
        where name.hasPrefix("HTTP_") && name.utf8.count > 5 && name.utf8.dropFirst(5).allSatisfy(isMetaVariableByte) {
            headers[headerName(fromParameter: name.dropFirst(5))] = value
        }
        return headers
    }

    /// `CONTENT_LENGTH` as a byte count: `nil` when absent or empty (no body),
    /// `.some(nil)` when present but not a plain decimal number.
    static func contentLength(_ value: String?) -> Int?? {
        guard let value, !value.isEmpty else { return .none }
        guard value.utf8.count <= 18, value.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let length = Int(value) else {
            return .some(nil)
        }
        return .some(length)
    }

    /// Splits an origin-form request target (`/path?query`) into its percent-encoded parts.
    /// The query is `nil` when there is no `?` at all.
    static func splitTarget(_ target: String) -> (path: String, query: String?)? {
        guard target.utf8.first == UInt8(ascii: "/"), target.utf8.allSatisfy(isTargetByte) else { return nil }
        guard let questionMark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (target, nil) }
        let path = String(target[..<questionMark])
        let query = String(target[target.index(after: questionMark)...])
        return (path, query)
    }

    /// `HTTP_ACCEPT_LANGUAGE` → `accept-language`.
    static func headerName(fromParameter name: Substring) -> String {
        String(decoding: name.utf8.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "_"): UInt8(ascii: "-")
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 0x20
            default: byte
            }
        }, as: UTF8.self)
    }

    /// RFC 3875 meta-variable name characters after `HTTP_`: `A-Z`, `0-9` and `_`.
    static func isMetaVariableByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "_")
    }

    /// A request target is visible ASCII only (RFC 9112); anything else never came from a browser.
    static func isTargetByte(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte)
    }

    /// RFC 9110 token characters, as in a method name.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 32 && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}
