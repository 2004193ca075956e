/// A failure reported by libpq or the PostgreSQL server, with the server's SQLSTATE when it sent one.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// The five-character SQLSTATE ("23505" unique violation); nil when the connection failed.
    public let sqlState: String?
    public let message: String

    public var description: String { "PostgreSQL \(sqlState ?? "connection"): \(message)" }

    /// The server cannot be used for now, as opposed to a bug: no connection (class 08, or
    /// none at all), the server shutting down or starting (57P01-57P03), out of resources (53),
    /// a statement cancelled by `statement_timeout` (57014). Answered with "try again".
    public var isUnavailable: Bool {
        guard let sqlState else { return true }
        return sqlState.hasPrefix("08") || sqlState.hasPrefix("53") || sqlState.hasPrefix("57P")
            || sqlState == "57014"
    }

    /// Two transactions collided (serialization failure, deadlock): running it again is safe.
    var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// A unique index refused the row.
    var isUniqueViolation: Bool { sqlState == "23505" }
    /// A foreign key refused the row.
    var isForeignKeyViolation: Bool { sqlState == "23503" }
}
