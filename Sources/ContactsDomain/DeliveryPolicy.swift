import Foundation

/// How often an email that could not be delivered is tried again (SPEC "Emails": retried on
/// failure, never lost).
public enum DeliveryPolicy {
    /// The first retry waits this long; each further failure doubles it, up to ``maximumRetryDelay``.
    public static let firstRetryDelay: TimeInterval = 30
    public static let maximumRetryDelay: TimeInterval = 60 * 60

    /// The delay before the next attempt once `failures` attempts have failed (at least one).
    public static func retryDelay(afterFailures failures: Int) -> TimeInterval {
        let doublings = Double(min(max(failures - 1, 0), 20))
        return min(firstRetryDelay * pow(2, doublings), maximumRetryDelay)
    }

    /// How long an email may keep failing before it is given up (``shouldGiveUp``): three days
    /// outlast a weekend's relay outage, and a code older than that is long expired anyway.
    public static let defaultGiveUpAfter: TimeInterval = 3 * 24 * 60 * 60

    /// Whether an email whose attempts have failed since `firstFailureAt` (the earliest failed
    /// attempt, or the one just failed when it is the first) is given up `now`: kept with its
    /// error, never tried again unless an operator retries it. A limit of 0 gives up at once.
    public static func shouldGiveUp(firstFailureAt: Date, now: Date, giveUpAfter: TimeInterval) -> Bool {
        now.timeIntervalSince(firstFailureAt) >= max(giveUpAfter, 0)
    }
}
