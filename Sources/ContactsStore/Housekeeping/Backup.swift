import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Why a backup was not made.
public enum BackupError: Error, CustomStringConvertible {
    case destinationExists(String)
    case cannotCreate(String, errno: Int32)

    public var description: String {
        switch self {
        case .destinationExists(let path): "\(path) already exists; a backup never overwrites a file"
        case .cannotCreate(let path, let code): "cannot create \(path): \(String(cString: strerror(code)))"
        }
    }
}

extension AppDatabase {
    /// Copies the live database into a new file at `path` with SQLite's online backup API: one
    /// consistent snapshot (every transaction committed before it started, none half-way),
    /// while the app keeps reading and writing. The file is created 0600 (it holds password
    /// hashes and session digests) and never replaces an existing one. The copy is a single
    /// file in rollback-journal mode; the app switches it back to WAL when it opens it.
    public func backup(to path: String) throws {
        // O_EXCL: refuse an existing file, even one created between a check and the copy.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST { throw BackupError.destinationExists(path) }
            throw BackupError.cannotCreate(path, errno: code)
        }
        close(descriptor)
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            let destination = try DatabaseQueue(path: path, configuration: configuration)
            // All pages in one step, within one read transaction of the source: a writer
            // meanwhile does not restart the copy nor show up half-way in it.
            try dbPool.backup(to: destination)
            try destination.writeWithoutTransaction { db in
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
            }
            try destination.close()
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }
}
