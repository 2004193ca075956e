/// The `Cookie` request header, parsed leniently: a malformed pair is skipped rather than failing
/// the request, and the first of several cookies with one name wins.
public struct RequestCookies: Sendable {
    public private(set) var values: [String: String] = [:]

    public static let maximumHeaderBytes = 8192

    public init(header: String?) {
        guard let header, header.utf8.count <= Self.maximumHeaderBytes else { return }
        // Split on bytes, not Characters: a combining mark after ";" or "=" must not glue two
        // pairs together into one grapheme.
        for part in Array(header.utf8).split(separator: UInt8(ascii: ";")) {
            let pair = part.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            let name = String(decoding: Self.trimmingSpaces(pair[0]), as: UTF8.self)
            var value = String(decoding: Self.trimmingSpaces(pair[1]), as: UTF8.self)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            guard !name.isEmpty, values[name] == nil, value.utf8.allSatisfy(Self.isCookieOctet) else { continue }
            values[name] = value
        }
    }

    public subscript(name: String) -> String? { values[name] }

    /// Spaces and tabs trimmed as bytes: as Characters, a space followed by a combining mark is
    /// one grapheme and would stay.
    private static func trimmingSpaces(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return []
        }
        return bytes[first...last]
    }

    /// RFC 6265's cookie-octet: printable ASCII except space, quote, comma, semicolon, backslash.
    static func isCookieOctet(_ byte: UInt8) -> Bool {
        byte == 0x21 || (0x23...0x2B).contains(byte) || (0x2D...0x3A).contains(byte)
            || (0x3C...0x5B).contains(byte) || (0x5D...0x7E).contains(byte)
    }
}

/// A `Set-Cookie` header value.
public struct SetCookie: Sendable {
    public enum SameSite: String, Sendable { case strict = "Strict", lax = "Lax" }

    public var name: String
    public var value: String
    public var path = "/"
    public var maxAge: Int?
    public var httpOnly = true
    public var secure = false
    public var sameSite: SameSite = .lax

    public init(name: String, value: String, maxAge: Int? = nil, httpOnly: Bool = true, secure: Bool = false, sameSite: SameSite = .lax) {
        self.name = name
        self.value = value
        self.maxAge = maxAge
        self.httpOnly = httpOnly
        self.secure = secure
        self.sameSite = sameSite
    }

    /// Tells the browser to forget the cookie.
    public static func expired(name: String, secure: Bool) -> SetCookie {
        SetCookie(name: name, value: "", maxAge: 0, secure: secure)
    }

    public var headerValue: String {
        var parts = ["\(name)=\(value)", "Path=\(path)"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if httpOnly { parts.append("HttpOnly") }
        if secure { parts.append("Secure") }
        parts.append("SameSite=\(sameSite.rawValue)")
        return parts.joined(separator: "; ")
    }
}
