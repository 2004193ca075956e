import Foundation
/// The three languages the product speaks; an account's preferred one is among them.
public enum Language: String, CaseIterable, Sendable, Codable {
    case pl, pt, it
}

/// Whether an account is up to date with payments. An operator sets it; this product does not bill.
public enum PaymentStatus: String, CaseIterable, Sendable, Codable {
    case upToDate = "up_to_date"
    case overdue
}

/// The three contact roles every service has exactly one holder for.
public enum Role: String, CaseIterable, Sendable, Codable, Comparable {
    case administrative = "admin"
    case technical = "tech"
    case billing = "billing"

    private var order: Int {
        switch self {
        case .administrative: 0
        case .technical: 1
        case .billing: 2
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.order < rhs.order }
}

/// Kinds of service a hosting customer holds.
public enum ServiceType: String, CaseIterable, Sendable, Codable {
    case domain
    case webHosting = "hosting"
    case vps
    case dedicatedServer = "dedicated"
    case email
    case database
}

public struct Account: Equatable, Sendable {
    public var id: CustomerID
    public var displayName: String
    public var email: EmailAddress
    public var language: Language
    public var paymentStatus: PaymentStatus
    /// The IANA time zone its pages and emails show times in; nil: its language's
    /// (``Language/defaultTimeZone``).
    public var chosenTimeZone: String?

    public init(
        id: CustomerID, displayName: String, email: EmailAddress, language: Language, paymentStatus: PaymentStatus,
        timeZone: String? = nil
    ) {
        self.id = id
        self.displayName = displayName
        self.email = email
        self.language = language
        self.paymentStatus = paymentStatus
        self.chosenTimeZone = timeZone
    }

    /// The zone this account reads times in (SPEC "Times").
    public var timeZone: String { chosenTimeZone ?? language.defaultTimeZone }
}

extension Language {
    /// Where a customer of each language most likely lives (SPEC "Times").
    public var defaultTimeZone: String {
        switch self {
        case .pl: "Europe/Warsaw"
        case .pt: "Europe/Lisbon"
        case .it: "Europe/Rome"
        }
    }
}

/// The time zones an account may choose: the IANA names this system knows.
public enum TimeZoneChoice {
    public static func isValid(_ identifier: String) -> Bool {
        identifier.utf8.count <= 64 && known.contains(identifier) && TimeZone(identifier: identifier) != nil
    }

    /// Read once: the system builds the list anew on every call.
    private static let known = Set(TimeZone.knownTimeZoneIdentifiers)
}
