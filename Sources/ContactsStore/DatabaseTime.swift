import CoreMetrics
import Foundation

/// Database time: each read and write transaction timed as `contacts_database_duration_seconds`
/// by `operation` (read, write) and `engine` (sqlite, postgresql), so that /metrics tells how
/// much of a request's time the database took. Timers are made once, not per transaction.
public struct DatabaseTimer: Sendable {
    public enum Operation: String, Sendable { case read, write }

    private let readTimer: CoreMetrics.Timer
    private let writeTimer: CoreMetrics.Timer

    /// Timers made by `factory`; the process-wide one (a no-op unless bootstrapped) by default.
    public init(engine: String, factory: any MetricsFactory = MetricsSystem.factory) {
        readTimer = CoreMetrics.Timer(label: "contacts_database_duration_seconds",
                          dimensions: [("operation", "read"), ("engine", engine)], factory: factory)
        writeTimer = CoreMetrics.Timer(label: "contacts_database_duration_seconds",
                           dimensions: [("operation", "write"), ("engine", engine)], factory: factory)
    }

    /// Runs `body`, recording its duration whether it returns or throws.
    func measure<T>(_ operation: Operation, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            (operation == .read ? readTimer : writeTimer).recordNanoseconds(Int64(clamping: elapsed))
        }
        return try body()
    }
}
