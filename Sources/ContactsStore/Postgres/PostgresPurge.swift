import Foundation

extension PostgresStore {
    /// Housekeeping (`contacts-admin purge`, and `deliver-mail --loop` now and then): removes
    /// expired sessions and the throttle rows past their window, in one transaction, with the
    /// same statements as SQLite (``PurgeStep``). Safe from any number of hosts at once.
    @discardableResult
    public func purge(now: Date, policy: PurgePolicy) throws -> PurgeCounts {
        try write { connection in
            var counts = PurgeCounts()
            for step in PurgeStep.steps(now: now, policy: policy) {
                counts[keyPath: step.count] = try connection.count(step.sql, step.arguments)
            }
            return counts
        }
    }
}
