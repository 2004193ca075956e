import Foundation

/// The secret of a personal API token: `sct_` and 43 base64url characters (256 random bits).
///
/// The prefix lets secret scanners and people recognise a leaked token; the store keeps only
/// ``Secret/digest(_:)`` of the whole string, which is fast to look up and, for 256 random bits,
/// needs no slow hash.
public enum APITokenSecret {
    public static let prefix = "sct_"
    static let secretLength = 43

    public static func generate() -> String {
        prefix + Secret.generate()
    }

    /// The token of an `Authorization: Bearer …` header, if the header is one and the token has
    /// the right shape; anything else is no token at all (the caller answers 401 either way).
    public static func bearer(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .init(charactersIn: " \t"))
        return isWellFormed(token) ? token : nil
    }

    public static func isWellFormed(_ token: String) -> Bool {
        guard token.hasPrefix(prefix) else { return false }
        let secret = token.utf8.dropFirst(prefix.utf8.count)
        return secret.count == secretLength && secret.allSatisfy { byte in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }
}
