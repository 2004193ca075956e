/// An email address good enough to deliver to: one `@`, a non-empty local part, a dotted domain,
/// printable ASCII only. CR, LF and other control characters can never reach a mail header.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// RFC 5321's limit for a forward path.
    public static let maximumLength = 254

    public init(parsing input: String) throws(EmailAddressError) {
        let trimmed = input.trimmingASCIIWhitespace()
        if trimmed.isEmpty { throw .empty }
        if trimmed.utf8.count > Self.maximumLength { throw .tooLong }
        guard Self.isWellFormed(trimmed) else { throw .malformed }
        rawValue = trimmed
    }

    public init(trusted rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    private static func isWellFormed(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        // Printable ASCII without space, quotes, angle brackets, commas or semicolons.
        let forbidden = Set("\"<>(),;:\\[] ".utf8)
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !forbidden.contains($0) }) else { return false }
        let parts = bytes.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last else { return false }
        guard !local.isEmpty, local.count <= 64 else { return false }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
        }
    }
}

public enum EmailAddressError: Error, Equatable, Sendable {
    case empty
    case tooLong
    case malformed
}
