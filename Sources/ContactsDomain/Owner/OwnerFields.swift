/// The countries the product serves; an owner's postal code and phone number are read by its
/// country's rules, and the owner is written to in its country's language.
public enum Country: String, CaseIterable, Sendable, Codable {
    case poland = "PL"
    case portugal = "PT"
    case italy = "IT"

    /// The language of the owner's emails (docs/DECISIONS.md).
    public var language: Language {
        switch self {
        case .poland: .pl
        case .portugal: .pt
        case .italy: .it
        }
    }

    /// The international calling code, without the `+`.
    public var callingCode: String {
        switch self {
        case .poland: "48"
        case .portugal: "351"
        case .italy: "39"
        }
    }
}

/// A phone number in E.164 (`+48601234567`), parsed from the way people write it in the
/// owner's country: `+48 601 234 567`, `601-234-567` (PL), `912 345 678` (PT),
/// `+39 06 1234 5678`, `06 1234 5678` (IT), or `00` for `+`.
///
/// Only ASCII digits, spaces, `-`, `.`, `(`, `)` and one leading `+` are read: look-alike digits
/// and invisible characters are refused, never normalised into somebody else's number.
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(parsing input: String, country: Country) throws(PhoneNumberError) {
        let trimmed = input.trimmingASCIIWhitespace()
        if trimmed.isEmpty { throw .empty }
        if trimmed.utf8.count > 32 { throw .malformed }
        var digits: [UInt8] = []
        var international = false
        for (index, byte) in trimmed.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(byte)
            case UInt8(ascii: "+") where index == 0: international = true
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"): continue
            default: throw .malformed
            }
        }
        var number = String(decoding: digits, as: UTF8.self)
        if !international, number.hasPrefix("00") {
            international = true
            number.removeFirst(2)
        }
        if !international {
            number = country.callingCode + number
        }
        guard Self.isValid(e164Digits: number) else { throw .wrongLength }
        rawValue = "+" + number
    }

    public init(trusted rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// The national rules of the three countries; any other country code is held to E.164
    /// alone (8 to 15 digits, no leading zero).
    static func isValid(e164Digits number: String) -> Bool {
        guard (8...15).contains(number.count), let first = number.first, first != "0" else { return false }
        for country in Country.allCases where number.hasPrefix(country.callingCode) {
            let national = number.dropFirst(country.callingCode.count)
            guard let lead = national.first else { return false }
            switch country {
            case .poland: return national.count == 9 && lead != "0"
            case .portugal: return national.count == 9 && "239".contains(lead)
            // Fixed lines keep their leading 0 (6 to 11 digits), mobiles start with 3.
            case .italy: return lead == "0" ? (6...11).contains(national.count) : (lead == "3" && (9...10).contains(national.count))
            }
        }
        // +3 and +4 codes other than ours are two or three digits; the length rule covers them.
        return true
    }
}

public enum PhoneNumberError: Error, Equatable, Sendable {
    case empty
    /// A character other than digits, spaces, `-`, `.`, `(`, `)` and a leading `+`.
    case malformed
    /// Too few or too many digits for the country.
    case wrongLength
}

/// A postal code in its country's form: PL `00-000`, PT `0000-000`, IT `00000`. The digits
/// may be typed without the dash (`00950` for PL); the stored form has it.
public struct PostalCode: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(parsing input: String, country: Country) throws(PostalCodeError) {
        let trimmed = input.trimmingASCIIWhitespace()
        if trimmed.isEmpty { throw .empty }
        let bytes = Array(trimmed.utf8)
        let isDigit: (UInt8) -> Bool = { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        let digits = bytes.filter(isDigit)
        let dash = country.dashAfter
        let withDash = dash.map { bytes.count == country.digits + 1 && bytes[$0] == UInt8(ascii: "-") } ?? false
        guard digits.count == country.digits, bytes.count == digits.count || withDash,
              bytes.enumerated().allSatisfy({ isDigit($1) || (withDash && $0 == dash) })
        else { throw .malformed }
        var text = String(decoding: digits, as: UTF8.self)
        if let dash { text.insert("-", at: text.index(text.startIndex, offsetBy: dash)) }
        rawValue = text
    }

    public init(trusted rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
}

public enum PostalCodeError: Error, Equatable, Sendable {
    case empty
    case malformed
}

extension Country {
    /// How many digits the country's postal codes have.
    var digits: Int {
        switch self {
        case .poland: 5
        case .portugal: 7
        case .italy: 5
        }
    }

    /// Where the dash goes, counted in digits; none for Italy.
    var dashAfter: Int? {
        switch self {
        case .poland: 2
        case .portugal: 4
        case .italy: nil
        }
    }
}

/// A line of a postal address (street, city) or a name: 1 to 200 characters, any script, but
/// no control or invisible formatting characters (zero-width spaces, bidirectional overrides),
/// which could make two different addresses look the same.
public enum AddressText {
    public static let maximumLength = 200

    public static func parse(_ input: String) throws(AddressTextError) -> String {
        let trimmed = input.trimmingASCIIWhitespace()
        if trimmed.isEmpty { throw .empty }
        if trimmed.count > maximumLength { throw .tooLong }
        for scalar in trimmed.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
                throw .invalidCharacters
            default:
                continue
            }
        }
        return trimmed
    }
}

public enum AddressTextError: Error, Equatable, Sendable {
    case empty
    case tooLong
    case invalidCharacters
}
