import Foundation

/// What a personal API token may do (SPEC "The JSON API").
public enum APITokenScope: String, CaseIterable, Sendable {
    /// Reads services, contacts and requests.
    case readOnly = "read-only"
    /// Also asks for changes, confirms and refuses them with a code, cancels and resends.
    case readWrite = "read-write"

    /// Whether a token of this scope may call an operation that changes something.
    public var mayWrite: Bool { self == .readWrite }
}

/// A token as the profile page lists it; the secret itself is shown once and never stored.
public struct APITokenInfo: Equatable, Sendable {
    public var id: Int64
    public var name: String
    public var scope: APITokenScope
    public var createdAt: Date
    public var expiresAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(id: Int64, name: String, scope: APITokenScope, createdAt: Date, expiresAt: Date,
                lastUsedAt: Date? = nil, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.scope = scope
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// A revoked or expired token opens nothing.
    public func isUsable(at now: Date) -> Bool {
        revokedAt == nil && now < expiresAt
    }
}

/// The rules for making a token: its name, its lifetime, how many one account may hold.
public enum APITokenRules {
    /// Days a token lives when the customer does not choose, and at most.
    public static let defaultDays = 90
    public static let maximumDays = 365
    /// Usable tokens per account: one per script or machine, not one per call.
    public static let maximumPerAccount = 20
    /// Seconds between two updates of a token's "last used" time: the list shows the day and
    /// hour, and a script's every call need not be a write.
    public static let lastUseResolution: TimeInterval = 60
    public static let maximumNameLength = 100

    public enum Problem: Error, Equatable, Sendable {
        /// Empty, too long, or with characters a name may not have (``DisplayText``).
        case invalidName
        /// Outside 1 ... ``maximumDays``.
        case invalidLifetime
        /// The account holds ``maximumPerAccount`` usable tokens already.
        case tooMany
    }

    /// Checks a new token's name and lifetime (in days) for an account that holds
    /// `usableTokens` tokens now; returns the name trimmed and the expiry.
    public static func check(name: String, days: Int?, usableTokens: Int, now: Date) -> Result<(name: String, expiresAt: Date), Problem> {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard (try? DisplayText.check(trimmed, maximumLength: maximumNameLength)) != nil else { return .failure(.invalidName) }
        let lifetime = days ?? defaultDays
        guard (1...maximumDays).contains(lifetime) else { return .failure(.invalidLifetime) }
        guard usableTokens < maximumPerAccount else { return .failure(.tooMany) }
        return .success((trimmed, now.addingTimeInterval(TimeInterval(lifetime) * 24 * 60 * 60)))
    }

    /// Whether a use at `now` should be written as the token's last use.
    public static func shouldRecordUse(lastUsedAt: Date?, now: Date) -> Bool {
        guard let lastUsedAt else { return true }
        return now.timeIntervalSince(lastUsedAt) >= lastUseResolution
    }
}
