import Foundation

/// How repeated sign-ins are slowed down.
///
/// Attempts are counted over a sliding window. The first few are free; after that each further
/// attempt must wait, twice as long each time, up to a cap. The same curve serves the other
/// throttles built on this type (wrong codes, lookups), which count under one `.account` key.
///
/// For sign-in, failures are counted per (account, client address) for the delay, so that
/// somebody guessing from elsewhere cannot lock the owner out; per account from every address
/// with a far higher allowance, so that a guesser spread over many addresses still stops, except
/// at an address the account signed in from recently (its owner's); and per client address,
/// which many people may share. Successful sign-ins are counted too, per account and per
/// address, since each costs a password hash and a session.
public struct SignInThrottle: Sendable {
    public var window: TimeInterval = 15 * 60
    /// Sign-in: failures of one account from one address. Other throttles: failures per key.
    public var freeFailuresPerAccount = 5
    /// Sign-in: failures of one account from every address together.
    public var freeFailuresPerAccountFromAllClients = 50
    public var freeFailuresPerClient = 20
    public var freeSuccessesPerAccount = 10
    public var freeSuccessesPerClient = 50
    /// An address the account signed in from within this period is the owner's: the account-wide
    /// failure allowance does not hold it back.
    public var knownClientPeriod: TimeInterval = 30 * 24 * 60 * 60
    /// An attempt still being checked after this long is taken to have died with its process.
    public var attemptTimeout: TimeInterval = 60
    public var firstDelay: TimeInterval = 15
    public var maximumDelay: TimeInterval = 15 * 60

    public init() {}

    public enum Key: Sendable {
        case account(CustomerID)
        case client(String)
        /// One account's attempts from one client address.
        case accountFromClient(CustomerID, String)

        public var storageKey: String {
            switch self {
            case .account(let id): "id:\(id.rawValue)"
            case .client(let address): "ip:\(address)"
            case .accountFromClient(let id, let address): "id-ip:\(id.rawValue) \(address)"
            }
        }
    }

    /// Seconds left before another attempt is allowed, or nil when it is allowed now.
    public func waitTime(for key: Key, failures: Int, latestFailure: Date?, now: Date) -> TimeInterval? {
        let free: Int
        switch key {
        case .account, .accountFromClient: free = freeFailuresPerAccount
        case .client: free = freeFailuresPerClient
        }
        return waitTime(free: free, count: failures, latest: latestFailure, now: now)
    }

    /// How long before this sign-in attempt may be checked, or nil when it may be checked now.
    public func wait(_ facts: SignInFacts, now: Date) -> SignInWait? {
        var failureLimits: [(free: Int, tally: SignInFacts.Tally)] = [
            (freeFailuresPerAccount, facts.failuresOfAccountFromClient),
            (freeFailuresPerClient, facts.failuresFromClient),
        ]
        if !facts.clientIsKnown {
            failureLimits.append((freeFailuresPerAccountFromAllClients, facts.failuresOfAccount))
        }
        let successLimits: [(free: Int, tally: SignInFacts.Tally)] = [
            (freeSuccessesPerAccount, facts.successesOfAccount),
            (freeSuccessesPerClient, facts.successesFromClient),
        ]
        func longest(_ limits: [(free: Int, tally: SignInFacts.Tally)]) -> TimeInterval? {
            limits.compactMap { waitTime(free: $0.free, count: $0.tally.count, latest: $0.tally.latest, now: now) }.max()
        }
        let afterFailures = longest(failureLimits), afterSuccesses = longest(successLimits)
        if let afterSuccesses, afterSuccesses > (afterFailures ?? 0) {
            return SignInWait(seconds: afterSuccesses, reason: .successes)
        }
        return afterFailures.map { SignInWait(seconds: $0, reason: .failures) }
    }

    private func waitTime(free: Int, count: Int, latest: Date?, now: Date) -> TimeInterval? {
        guard count >= free, let latest else { return nil }
        let doublings = Double(min(count - free, 16))
        let delay = min(firstDelay * pow(2, doublings), maximumDelay)
        let remaining = latest.addingTimeInterval(delay).timeIntervalSince(now)
        return remaining > 0 ? remaining.rounded(.up) : nil
    }
}

/// Why and how long a sign-in attempt must wait; the page says which.
public struct SignInWait: Equatable, Sendable {
    public enum Reason: Equatable, Sendable {
        case failures
        case successes
    }

    public var seconds: TimeInterval
    public var reason: Reason

    public init(seconds: TimeInterval, reason: Reason) {
        self.seconds = seconds
        self.reason = reason
    }
}

/// What the store counted for one sign-in attempt, within the throttle's window. Attempts still
/// being checked count both as failures and as successes, so concurrent attempts all count
/// whichever way they end.
public struct SignInFacts: Equatable, Sendable {
    public struct Tally: Equatable, Sendable {
        public var count: Int
        public var latest: Date?

        public init(count: Int = 0, latest: Date? = nil) {
            self.count = count
            self.latest = latest
        }
    }

    public var failuresOfAccountFromClient: Tally
    public var failuresOfAccount: Tally
    public var failuresFromClient: Tally
    public var successesOfAccount: Tally
    public var successesFromClient: Tally
    /// The account signed in successfully from this address within `knownClientPeriod`.
    public var clientIsKnown: Bool

    public init(
        failuresOfAccountFromClient: Tally = Tally(), failuresOfAccount: Tally = Tally(),
        failuresFromClient: Tally = Tally(), successesOfAccount: Tally = Tally(),
        successesFromClient: Tally = Tally(), clientIsKnown: Bool = false
    ) {
        self.failuresOfAccountFromClient = failuresOfAccountFromClient
        self.failuresOfAccount = failuresOfAccount
        self.failuresFromClient = failuresFromClient
        self.successesOfAccount = successesOfAccount
        self.successesFromClient = successesFromClient
        self.clientIsKnown = clientIsKnown
    }
}
