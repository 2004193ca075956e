import GRDB

extension AppDatabase {
    /// Whether `error` means the database cannot be used for now (locked past the busy timeout,
    /// read-only, disk full, I/O trouble; PostgreSQL down, restarting or timed out), as opposed to a bug. The web layer answers these with
    /// "try again in a moment" instead of an internal error.
    public static func isUnavailable(_ error: Error) -> Bool {
        if let error = error as? PostgresError { return error.isUnavailable }
        guard let error = error as? DatabaseError else { return false }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_READONLY, .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_CANTOPEN:
            return true
        default:
            return false
        }
    }
}
