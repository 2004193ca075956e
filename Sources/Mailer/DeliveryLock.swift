import Foundation

/// An exclusive lock on a file, held while one process delivers the outbox of a database, so
/// that two delivery processes never pick up the same rows. Released when this value is
/// deinitialized or the process ends (an `flock`, so never left behind by a crash).
public final class DeliveryLock: Sendable {
    public struct Busy: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "another process delivers this outbox (it holds \(path))" }
    }

    public let path: String
    private let descriptor: Int32

    /// Takes the lock on `path` (created if needed), or throws `Busy` at once when another
    /// process holds it.
    public init(path: String) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw MailTransportError.writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { throw Busy(path: path) }
            throw MailTransportError.writeFailed(path: path, reason: String(cString: strerror(code)))
        }
        self.path = path
        self.descriptor = descriptor
    }

    /// The lock file for the database at `databasePath`: next to it, `<name>.deliver-mail.lock`.
    public static func path(forDatabase databasePath: String) -> String {
        databasePath + ".deliver-mail.lock"
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
