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

    public init(id: CustomerID, displayName: String, email: EmailAddress, language: Language, paymentStatus: PaymentStatus) {
        self.id = id
        self.displayName = displayName
        self.email = email
        self.language = language
        self.paymentStatus = paymentStatus
    }
}
