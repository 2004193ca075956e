/// A customer's NIC handle: two letters, one or more digits, then `-ovh` (`aa123456-ovh`).
///
/// Input is accepted in any letter case and with surrounding white space; the stored form is
/// lower-case. Only ASCII letters and digits count, so look-alike and invisible characters are
/// rejected rather than normalised into somebody else's ID.
public struct CustomerID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// The longest input worth parsing; real handles are far shorter.
    public static let maximumLength = 32
    public static let suffix = "-ovh"

    public init(parsing input: String) throws(CustomerIDError) {
        let trimmed = input.trimmingASCIIWhitespace()
        if trimmed.isEmpty { throw .empty }
        if trimmed.utf8.count > Self.maximumLength { throw .tooLong }
        let lowered = String(decoding: trimmed.utf8.map(Self.asciiLowercased), as: UTF8.self)
        guard Self.isWellFormed(lowered) else { throw .malformed }
        rawValue = lowered
    }

    /// For values read back from the store, which only ever holds parsed IDs.
    public init(trusted rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: CustomerID, rhs: CustomerID) -> Bool { lhs.rawValue < rhs.rawValue }

    private static func isWellFormed(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        let suffix = Array(Self.suffix.utf8)
        guard bytes.count >= 2 + 1 + suffix.count, bytes.suffix(suffix.count).elementsEqual(suffix) else {
            return false
        }
        let head = bytes.dropLast(suffix.count)
        let letters = head.prefix(2)
        let digits = head.dropFirst(2)
        return letters.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
            && !digits.isEmpty
            && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}

public enum CustomerIDError: Error, Equatable, Sendable {
    case empty
    case tooLong
    case malformed
}

extension String {
    /// Trims spaces, tabs and line breaks only: other Unicode spaces stay and make the input invalid.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
