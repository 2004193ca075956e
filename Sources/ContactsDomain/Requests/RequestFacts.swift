import Foundation

/// What the store loaded about one request and its service, for a decision.
public struct RequestFacts: Equatable, Sendable {
    public var state: RequestState
    public var roles: [Role]
    public var from: CustomerID
    public var to: CustomerID
    public var requester: CustomerID
    public var requestedAt: Date
    public var expiresAt: Date
    public var lastResentAt: Date?
    /// Resends so far.
    public var resends: Int
    /// Each required confirmer, with the moment it accepted (nil while awaited).
    public var confirmations: [CustomerID: Date?]
    /// The service's holders as they are now; nil when the service is gone.
    public var holders: RoleHolders?
    /// The from- and to-account as they are now (their payment status decides billing changes).
    public var accounts: [CustomerID: Account]

    public init(
        state: RequestState, roles: [Role], from: CustomerID, to: CustomerID, requester: CustomerID,
        requestedAt: Date, expiresAt: Date, lastResentAt: Date? = nil, resends: Int = 0,
        confirmations: [CustomerID: Date?], holders: RoleHolders?, accounts: [CustomerID: Account]
    ) {
        self.state = state
        self.roles = roles.sorted()
        self.from = from
        self.to = to
        self.requester = requester
        self.requestedAt = requestedAt
        self.expiresAt = expiresAt
        self.lastResentAt = lastResentAt
        self.resends = resends
        self.confirmations = confirmations
        self.holders = holders
        self.accounts = accounts
    }

    /// Asker, confirmers, old and new contact: each takes part, sees the request and is told
    /// how it ends.
    public var participants: [CustomerID] {
        var result: [CustomerID] = []
        for id in [requester, from, to] + confirmations.keys.sorted() where !result.contains(id) {
            result.append(id)
        }
        return result
    }

    /// Participants see a request, and so does the service's current administrative contact,
    /// who may change every contact of it; nobody else.
    public func isVisible(to account: CustomerID) -> Bool {
        participants.contains(account) || holders?.administrative == account
    }

    public var awaited: [CustomerID] {
        confirmations.filter { $0.value == nil }.map(\.key).sorted()
    }

    public func isDue(now: Date) -> Bool {
        state == .waiting && now >= expiresAt
    }
}

/// What an account asks of a request.
public enum RequestAction: Equatable, Sendable {
    /// A confirmer accepts with the code it typed.
    case accept(by: CustomerID, code: CodeCheck)
    /// A confirmer refuses with the code it typed.
    case refuse(by: CustomerID, code: CodeCheck)
    /// The requester withdraws it.
    case cancel(by: CustomerID)
    /// Fresh codes mailed again.
    case resend(by: CustomerID)
    /// Nobody acts: a read, a list or the operator's run applies expiry.
    case expire

    public var actor: CustomerID? {
        switch self {
        case .accept(let by, _), .refuse(let by, _), .cancel(let by), .resend(let by): by
        case .expire: nil
        }
    }
}

/// A typed code as the store found it: whether it matches the confirmer's current code, and
/// the confirmer's recent wrong codes on this request (within the throttle's window).
public struct CodeCheck: Equatable, Sendable {
    public var matches: Bool
    public var recentFailures: Int
    public var latestFailure: Date?

    public init(matches: Bool, recentFailures: Int = 0, latestFailure: Date? = nil) {
        self.matches = matches
        self.recentFailures = recentFailures
        self.latestFailure = latestFailure
    }
}

/// Requests made lately, as the creation limits count them.
public struct RecentRequests: Equatable, Sendable {
    public struct Window: Equatable, Sendable {
        public var count: Int
        /// The oldest request counted.
        public var oldest: Date?

        public init(count: Int, oldest: Date?) {
            self.count = count
            self.oldest = oldest
        }
    }

    /// Made by the asker in the last hour and the last day.
    public var byAskerLastHour: Window
    public var byAskerLastDay: Window
    /// Made by others, naming the account as the new contact, in the last day.
    public var namingLastDay: [CustomerID: Window]

    public init(byAskerLastHour: Window, byAskerLastDay: Window, namingLastDay: [CustomerID: Window]) {
        self.byAskerLastHour = byAskerLastHour
        self.byAskerLastDay = byAskerLastDay
        self.namingLastDay = namingLastDay
    }
}

/// Why new requests are refused before any rule of the service is looked at.
public enum CreationRefusal: Error, Equatable, Sendable {
    /// The asker made too many requests lately: try again after this many seconds.
    case tooManyRequests(retryAfter: TimeInterval)
    /// This account was named as the new contact in too many requests lately.
    case tooManyForTarget(CustomerID, retryAfter: TimeInterval)

    public var retryAfter: TimeInterval {
        switch self {
        case .tooManyRequests(let wait), .tooManyForTarget(_, let wait): wait
        }
    }
}
