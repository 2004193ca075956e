import Foundation

/// A fixed number of libpq connections shared by the worker threads: each transaction takes
/// one, or waits up to `checkoutTimeout` for one. Connections are opened when first needed, and
/// a broken one (the server restarted, the network dropped) is closed rather than returned, so
/// the next transaction opens a fresh one: the app recovers by itself once the server is back.
/// While it is down, transactions throw a ``PostgresError`` that ``isUnavailable``.
final class PostgresPool: @unchecked Sendable {
    let url: String
    let size: Int
    private let statementTimeout: Duration
    private let checkoutTimeout: TimeInterval
    /// Guards `idle` and `opened`.
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var opened = 0

    init(url: String, size: Int, statementTimeout: Duration = .seconds(5), checkoutTimeout: TimeInterval = 5) {
        self.url = url
        self.size = max(size, 1)
        self.statementTimeout = statementTimeout
        self.checkoutTimeout = checkoutTimeout
    }

    /// Runs `body` with a connection of its own, outside any transaction.
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try checkOut()
        defer { checkIn(connection) }
        return try body(connection)
    }

    /// Runs `body` in one transaction, committed when it returns, rolled back when it throws;
    /// run again (up to 5 times) when it collided with another (serialization failure, deadlock).
    func transaction<T>(readOnly: Bool = false, _ body: (PostgresConnection) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try withConnection { connection in
                    // A read sees one snapshot, like SQLite's readers; a write locks the rows it
                    // decides on (SELECT ... FOR UPDATE) under READ COMMITTED.
                    do {
                        try connection.execute(readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN")
                    } catch let error as PostgresError where connection.isBroken {
                        // Nothing was sent yet: an idle connection the server closed. Another one
                        // is opened for the next attempt.
                        throw StaleConnection(underlying: error)
                    }
                    do {
                        let result = try body(connection)
                        try connection.execute("COMMIT")
                        return result
                    } catch {
                        if !connection.isBroken { try? connection.execute("ROLLBACK") }
                        throw error
                    }
                }
            } catch let error as PostgresError where error.isRetryable && attempt < 5 {
                continue
            } catch let stale as StaleConnection {
                if attempt < 5 { continue }
                throw stale.underlying
            }
        }
    }

    private func checkOut() throws -> PostgresConnection {
        condition.lock()
        let deadline = Date().addingTimeInterval(checkoutTimeout)
        while idle.isEmpty && opened >= size {
            if !condition.wait(until: deadline) {
                condition.unlock()
                throw PostgresError(sqlState: "53300", message: "all \(size) connections busy for \(checkoutTimeout) s")
            }
        }
        if let connection = idle.popLast() {
            condition.unlock()
            return connection
        }
        opened += 1
        condition.unlock()
        do {
            return try PostgresConnection(url: url, statementTimeout: statementTimeout)
        } catch {
            release()
            throw error
        }
    }

    private struct StaleConnection: Error { let underlying: PostgresError }

    private func checkIn(_ connection: PostgresConnection) {
        if connection.isBroken {
            // The server most likely restarted: the idle connections are stale too.
            condition.lock()
            opened -= 1 + idle.count
            idle.removeAll()
            condition.broadcast()
            condition.unlock()
            return
        }
        condition.lock()
        idle.append(connection)
        condition.signal()
        condition.unlock()
    }

    /// One connection fewer (closed or never opened): a waiting thread may open another.
    private func release() {
        condition.lock()
        opened -= 1
        condition.signal()
        condition.unlock()
    }
}
