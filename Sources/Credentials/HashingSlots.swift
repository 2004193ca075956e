import Dispatch
import Foundation

/// A counting semaphore around password hashing. argon2id takes a core and 19 MiB for tens of
/// milliseconds; without a bound, a burst of sign-ins takes every core from the page requests.
/// An attempt that cannot get a slot within `wait` is refused rather than queued.
public final class HashingSlots: Sendable {
    public let count: Int
    public let wait: TimeInterval
    private let semaphore: DispatchSemaphore

    public init(count: Int, wait: TimeInterval) {
        self.count = max(1, count)
        self.wait = max(0, wait)
        self.semaphore = DispatchSemaphore(value: self.count)
    }

    /// One slot per core by default.
    public static var defaultCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Runs `body` holding a slot; nil, without running it, when no slot was free within `wait`.
    public func withSlot<T>(_ body: () throws -> T) rethrows -> T? {
        guard acquire() else { return nil }
        defer { release() }
        return try body()
    }

    /// Takes a slot, waiting at most `wait`; false when none was free. Pair with `release()`.
    public func acquire() -> Bool {
        semaphore.wait(timeout: .now() + wait) == .success
    }

    public func release() {
        semaphore.signal()
    }
}
