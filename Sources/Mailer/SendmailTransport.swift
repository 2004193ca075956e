import ContactsDomain
import Foundation

/// Delivers through a sendmail-compatible command (Postfix, Exim, msmtp, ...): the command, its
/// arguments and then the envelope recipient, with the message on standard input.
///
/// The command runs without a shell, in its own process group; after `timeout` seconds the whole
/// group is stopped (SIGTERM, then SIGKILL) and the attempt fails. A non-zero exit, a signal, or
/// a command that exits without reading the whole message fails too, with an excerpt of its
/// standard error. A timeout is the one failure where the MTA may have taken the message anyway:
/// the retry then sends it again, with the same Message-ID.
public struct SendmailTransport: MailTransport {
    /// `-i`: a line with a single dot does not end the message; `--`: the recipient is never an option.
    public static let defaultCommand = ["/usr/sbin/sendmail", "-i", "--"]
    /// The longest standard error excerpt kept in an error.
    static let stderrExcerptLength = 500

    public let command: [String]
    public let timeout: TimeInterval

    public init(command: [String] = Self.defaultCommand, timeout: TimeInterval = 60) {
        self.command = command
        self.timeout = timeout
        Self.ignoreBrokenPipes
    }

    /// Splits an operator's command line into words: whitespace separates, single or double
    /// quotes group, a backslash escapes the next character. No other shell syntax.
    public static func parseCommand(_ text: String) throws -> [String] {
        struct Unbalanced: Error, CustomStringConvertible {
            var description: String { "unbalanced quotes in the sendmail command" }
        }
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quote != "'" {
                escaped = true
                inWord = true
            } else if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character.isWhitespace {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        guard quote == nil, !escaped else { throw Unbalanced() }
        if inWord { words.append(current) }
        return words
    }

    public func send(_ message: MailMessage, envelopeRecipient: String) throws {
        guard !envelopeRecipient.hasPrefix("-"),
              (try? EmailAddress(parsing: envelopeRecipient))?.rawValue == envelopeRecipient
        else { throw MailTransportError.invalidRecipient }
        guard let program = command.first, !program.isEmpty else {
            throw MailTransportError.launchFailed(command: "(empty command)", reason: "no command given")
        }
        let name = (program as NSString).lastPathComponent

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.resolve(program))
        process.arguments = Array(command.dropFirst()) + [envelopeRecipient]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            throw MailTransportError.launchFailed(command: name, reason: error.localizedDescription)
        }
        let pid = process.processIdentifier

        let stderr = StreamCollector(errors.fileHandleForReading, keep: Self.stderrExcerptLength * 4)
        let writer = InputWriter(input.fileHandleForWriting, data: message.data)

        if exited.wait(timeout: .now() + timeout) == .timedOut {
            // Foundation starts the child as the leader of its own process group: stop it with
            // everything it started.
            kill(-pid, SIGTERM)
            if exited.wait(timeout: .now() + 2) == .timedOut {
                kill(-pid, SIGKILL)
                exited.wait()
            }
            throw MailTransportError.timedOut(command: name, seconds: timeout, stderr: stderr.excerpt(waiting: 1))
        }
        // Anything the command left running may keep its pipes open: wait a little, not forever.
        let fullyWritten = writer.finished(waiting: 2)
        let excerpt = stderr.excerpt(waiting: 2)
        let status = process.terminationStatus
        if process.terminationReason == .uncaughtSignal {
            throw MailTransportError.commandFailed(command: name, status: 128 + status, stderr: excerpt)
        }
        guard status == 0 else {
            throw MailTransportError.commandFailed(command: name, status: status, stderr: excerpt)
        }
        guard fullyWritten else { throw MailTransportError.incompleteInput(command: name, stderr: excerpt) }
    }

    /// `program` itself when it holds a slash, else its first match on PATH.
    static func resolve(_ program: String) -> String {
        guard !program.contains("/") else { return program }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return program
    }

    /// A command that exits without reading its input must give an error (EPIPE), not end this
    /// process with SIGPIPE. A handler that does nothing, rather than SIG_IGN: the commands this
    /// process starts get the default action back at exec, as they expect. Process-wide; nothing
    /// here relies on SIGPIPE's default action.
    private static let ignoreBrokenPipes: Void = {
        signal(SIGPIPE) { _ in }
    }()
}

/// Reads a pipe to its end on a background thread, keeping the first `keep` bytes.
private final class StreamCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle, keep: Int) {
        Thread.detachNewThread { [self] in
            while let chunk = try? handle.read(upToCount: 4096), !chunk.isEmpty {
                lock.withLock {
                    if bytes.count < keep { bytes.append(chunk.prefix(keep - bytes.count)) }
                }
            }
            try? handle.close()
            done.signal()
        }
    }

    /// What was read, as one line of printable text, once the stream ended or after `seconds`.
    func excerpt(waiting seconds: TimeInterval) -> String {
        if done.wait(timeout: .now() + seconds) == .success { done.signal() }
        let text = lock.withLock { String(decoding: bytes, as: UTF8.self) }
        let flattened = String(String.UnicodeScalarView(text.unicodeScalars.map {
            $0.properties.generalCategory == .control ? " " : $0
        }))
        let words = flattened.split(whereSeparator: { $0 == " " }).joined(separator: " ")
        return words.count > SendmailTransport.stderrExcerptLength
            ? String(words.prefix(SendmailTransport.stderrExcerptLength)) + "…" : words
    }
}

/// Writes the message to the command's standard input on a background thread, then closes it.
private final class InputWriter: @unchecked Sendable {
    private let lock = NSLock()
    private var succeeded = false
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle, data: Data) {
        Thread.detachNewThread { [self] in
            let ok = (try? handle.write(contentsOf: data)) != nil
            try? handle.close()
            lock.withLock { succeeded = ok }
            done.signal()
        }
    }

    /// Whether the whole message was written, once writing ended or after `seconds` (false).
    func finished(waiting seconds: TimeInterval) -> Bool {
        guard done.wait(timeout: .now() + seconds) == .success else { return false }
        done.signal()
        return lock.withLock { succeeded }
    }
}
