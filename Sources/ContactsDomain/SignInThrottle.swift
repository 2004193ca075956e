import Foundation

/// How repeated failed sign-ins are slowed down.
///
/// Failures are counted per customer ID and per client address over a sliding window. The first
/// few are free; after that each further attempt must wait, twice as long each time, up to a cap.
/// A client address gets more free failures than an ID, since many people can share one address.
public struct SignInThrottle: Sendable {
    public var window: TimeInterval = 15 * 60
    public var freeFailuresPerAccount = 5
    public var freeFailuresPerClient = 20
    public var firstDelay: TimeInterval = 15
    public var maximumDelay: TimeInterval = 15 * 60

    public init() {}

    public enum Key: Sendable {
        case account(CustomerID)
        case client(String)

        public var storageKey: String {
            switch self {
            case .account(let id): "id:\(id.rawValue)"
            case .client(let address): "ip:\(address)"
            }
        }
    }

    /// Seconds left before another attempt is allowed, or nil when it is allowed now.
    public func waitTime(for key: Key, failures: Int, latestFailure: Date?, now: Date) -> TimeInterval? {
        let free: Int
        switch key {
        case .account: free = freeFailuresPerAccount
        case .client: free = freeFailuresPerClient
        }
        guard failures >= free, let latestFailure else { return nil }
        let doublings = Double(min(failures - free, 16))
        let delay = min(firstDelay * pow(2, doublings), maximumDelay)
        let remaining = latestFailure.addingTimeInterval(delay).timeIntervalSince(now)
        return remaining > 0 ? remaining.rounded(.up) : nil
    }
}
