import Foundation
import Synchronization

/// How many calls one API token may make: `burst` at once, then `perSecond`.
public struct APIRateLimit: Equatable, Sendable {
    public var burst: Double
    public var perSecond: Double

    public init(burst: Double, perSecond: Double) {
        self.burst = burst
        self.perSecond = perSecond
    }

    /// 60 calls at once, then 10 a second: a reseller's script lists 20,000 services (100 pages
    /// of 200) in about ten seconds, and one token cannot hold every worker thread.
    public static let standard = APIRateLimit(burst: 60, perSecond: 10)
}

/// How many calls one API token may make: a token bucket per token, in this process's memory
/// (docs/DECISIONS.md "The JSON API"). A bucket holds `burst` calls and refills at `perSecond`;
/// a call finds a whole one or waits for it. The code and resend throttles are the store's, as on
/// the pages; this one only keeps one script from taking every worker thread.
final class APIThrottle: Sendable {
    typealias Limit = APIRateLimit

    private struct Bucket {
        var tokens: Double
        var at: Date
    }

    /// Buckets refilled to the brim are forgotten once this many are kept: only usable tokens get
    /// a bucket, so the table stays as small as the number of scripts calling at once.
    static let pruneAbove = 10_000

    let limit: Limit
    private let buckets = Mutex<[Int64: Bucket]>([:])

    init(limit: Limit = .standard) {
        self.limit = limit
    }

    /// Takes one call from the token's bucket: nil when allowed, else the whole seconds to wait.
    func take(token: Int64, now: Date) -> Int? {
        buckets.withLock { buckets in
            if buckets.count > Self.pruneAbove {
                buckets = buckets.filter { refilled($0.value, now: now) < limit.burst }
            }
            var bucket = buckets[token].map { Bucket(tokens: refilled($0, now: now), at: now) } ?? Bucket(tokens: limit.burst, at: now)
            defer { buckets[token] = bucket }
            guard bucket.tokens >= 1 else {
                return max(1, Int(((1 - bucket.tokens) / limit.perSecond).rounded(.up)))
            }
            bucket.tokens -= 1
            return nil
        }
    }

    private func refilled(_ bucket: Bucket, now: Date) -> Double {
        min(limit.burst, bucket.tokens + max(0, now.timeIntervalSince(bucket.at)) * limit.perSecond)
    }
}
