import Foundation

/// Hands a message over for delivery. Returning means the message is accepted (queued by the
/// local MTA, or written to disk); throwing means it was not, and it will be tried again.
public protocol MailTransport: Sendable {
    func send(_ message: MailMessage, envelopeRecipient: String) throws
}

/// Why a transport did not take a message. Descriptions never quote the message itself.
public enum MailTransportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The envelope recipient was not a plain address, or could pass for a command-line option.
    case invalidRecipient
    /// The command could not be started.
    case launchFailed(command: String, reason: String)
    /// The command exited with a non-zero status (or was killed by a signal).
    case commandFailed(command: String, status: Int32, stderr: String)
    /// The command did not finish in time and was killed.
    case timedOut(command: String, seconds: Double, stderr: String)
    /// The command exited without reading the whole message.
    case incompleteInput(command: String, stderr: String)
    /// Writing the `.eml` file failed.
    case writeFailed(path: String, reason: String)

    public var description: String {
        func withStderr(_ text: String, _ stderr: String) -> String {
            stderr.isEmpty ? text : "\(text): \(stderr)"
        }
        switch self {
        case .invalidRecipient:
            return "the envelope recipient is not a plain address"
        case .launchFailed(let command, let reason):
            return "cannot run \(command): \(reason)"
        case .commandFailed(let command, let status, let stderr):
            return withStderr("\(command) exited with status \(status)", stderr)
        case .timedOut(let command, let seconds, let stderr):
            return withStderr("\(command) did not finish within \(seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)) s and was killed", stderr)
        case .incompleteInput(let command, let stderr):
            return withStderr("\(command) did not read the whole message", stderr)
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }
}

// MARK: - Files in a directory

/// Writes each message as `<timestamp>-<outbox id>.eml` in a directory (created if needed): the
/// demo's mailbox, and a way to inspect mail without an MTA.
///
/// The timestamp is the message's date (its outbox row's creation time) in UTC, so names sort
/// oldest first and one outbox row always maps to the same name. Files appear whole: the message
/// goes to a hidden temporary file, is flushed to disk, then linked under its final name, which
/// never replaces a file. When the final name exists with the same content (a crash came between
/// writing and recording the delivery) nothing is written again, so this transport delivers each
/// row exactly once; with different content (an unrelated message from an earlier database), a
/// suffix is added.
public struct DirectoryTransport: MailTransport {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public func send(_ message: MailMessage, envelopeRecipient: String) throws {
        let data = message.data
        let directoryPath = directory.path
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw MailTransportError.writeFailed(path: directoryPath, reason: error.localizedDescription)
        }
        let temporary = directory.appendingPathComponent(".\(UUID().uuidString).tmp").path
        defer { unlink(temporary) }
        try Self.writeDurably(data, to: temporary)

        let stem = "\(Self.timestamp(message.date))-\(message.outboxID)"
        for attempt in 1...100 {
            let name = attempt == 1 ? "\(stem).eml" : "\(stem)-\(attempt).eml"
            let path = directory.appendingPathComponent(name).path
            if link(temporary, path) == 0 {
                Self.syncDirectory(directoryPath)
                return
            }
            let code = errno
            guard code == EEXIST else {
                throw MailTransportError.writeFailed(path: path, reason: String(cString: strerror(code)))
            }
            if FileManager.default.contents(atPath: path) == data { return }
        }
        throw MailTransportError.writeFailed(path: "\(directoryPath)/\(stem).eml", reason: "too many files with this name")
    }

    /// `20250615T165320.000Z`: sortable, and safe in file names everywhere.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(parts.year, 4) + pad(parts.month, 2) + pad(parts.day, 2) + "T"
            + pad(parts.hour, 2) + pad(parts.minute, 2) + pad(parts.second, 2)
            + "." + pad((milliseconds + 1000) % 1000, 3) + "Z"
    }

    /// Creates `path` (which must not exist), writes `data` and flushes it to disk.
    private static func writeDurably(_ data: Data, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw MailTransportError.writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var failure: Int32 = 0
        data.withUnsafeBytes { buffer in
            guard buffer.baseAddress != nil else { return }
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure == 0 && fsync(descriptor) != 0 { failure = errno }
        if failure != 0 {
            throw MailTransportError.writeFailed(path: path, reason: String(cString: strerror(failure)))
        }
    }

    /// Makes the new directory entry durable; best effort (not every file system supports it).
    private static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
