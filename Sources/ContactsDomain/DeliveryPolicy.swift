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
}
