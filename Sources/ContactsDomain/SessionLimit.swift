import Foundation

/// How long a signed-in session lasts (SECURITY.md "Sessions"): the web application ends it after
/// this long without a request, and after the absolute limit in any case; `purge` forgets it then.
public enum SessionTimeouts {
    public static let idle: TimeInterval = 30 * 60
    public static let absolute: TimeInterval = 12 * 60 * 60
}

/// How many sessions one account may have at once, and which end to make room for a new one.
public struct SessionLimit: Equatable, Sendable {
    /// Enough for every browser and device a person uses; each sign-in beyond it ends the oldest.
    public var maximumPerAccount: Int

    public static let standard = SessionLimit(maximumPerAccount: 20)

    public init(maximumPerAccount: Int) {
        self.maximumPerAccount = max(1, maximumPerAccount)
    }

    public struct Session: Equatable, Sendable {
        public var digest: String
        public var createdAt: Date

        public init(digest: String, createdAt: Date) {
            self.digest = digest
            self.createdAt = createdAt
        }
    }

    /// The account's sessions to end so that one more fits: the oldest first (by start, then
    /// digest, so the choice is the same on every host).
    public func sessionsToEnd(beforeAdding existing: [Session]) -> [String] {
        let excess = existing.count - (maximumPerAccount - 1)
        guard excess > 0 else { return [] }
        return existing
            .sorted { ($0.createdAt, $0.digest) < ($1.createdAt, $1.digest) }
            .prefix(excess)
            .map(\.digest)
    }
}
