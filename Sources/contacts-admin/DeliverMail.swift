import ArgumentParser
import ContactsDomain
import ContactsStore
import Foundation
import Mailer

/// Delivers the outbox: once (drain what is due, report, exit) or continuously with `--loop`.
struct DeliverMail: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver-mail",
        abstract: "Deliver the emails waiting in the outbox.",
        discussion: """
            Sends every email that is due, through a sendmail-compatible command (--sendmail) or, \
            by default, as .eml files in a directory (--directory, default run/mail: the demo's \
            mailbox). An email that fails stays queued and is tried again later, after a delay \
            that grows with each failure; the reason is logged on standard error. With --loop, \
            delivers every --interval seconds until SIGINT or SIGTERM, and purges expired sessions \
            and old throttle rows every --purge-interval seconds (as `purge` does). After each \
            batch the write-ahead log is truncated, so delivered codes stay in no file. Only one \
            deliver-mail runs per database at a time. An email still failing --give-up-after \
            seconds after its first failure (default 3 days) is given up: kept with its error, \
            no longer tried; `contacts-admin outbox` lists them and --retry-given-up queues them again.

            Exit status: 0 when every email due was delivered, 2 when some failed (they stay \
            queued), 1 on any other error.
            """)

    static let defaultDirectory = "run/mail"
    static let defaultFrom = "no-reply@service-contacts.example"
    static let fromEnvironment = "CONTACTS_MAIL_FROM"

    @OptionGroup var options: DatabaseOptions

    @Option(help: ArgumentHelp(
        "Write each message as an .eml file into this folder, created if needed (the default, with \(defaultDirectory)).",
        valueName: "folder"))
    var directory: String?

    @Option(help: ArgumentHelp(
        "Deliver through this sendmail-compatible command, given as one argument, for example "
            + "\"/usr/sbin/sendmail -i --\"; the recipient is appended. No shell: quotes group words.",
        valueName: "command"))
    var sendmail: String?

    @Option(help: "Seconds a sendmail command may take before it is killed and the attempt counts as failed.")
    var sendmailTimeout: Double = 60

    @Option(help: ArgumentHelp(
        "The From address (default: $\(fromEnvironment), else \(defaultFrom); required with --sendmail).",
        valueName: "address"))
    var from: String?

    @Option(help: ArgumentHelp("A name shown with the From address.", valueName: "name"))
    var fromName: String?

    @Flag(help: "Keep running: deliver, wait --interval seconds, and again, until SIGINT or SIGTERM.")
    var loop = false

    @Option(help: "Seconds between passes with --loop.")
    var interval: Double = 10

    @Option(help: "Seconds an email may keep failing, from its first failed attempt, before it is given up (0: at the first failure).")
    var giveUpAfter: Double = DeliveryPolicy.defaultGiveUpAfter

    @Option(help: "Emails handled per pass at most.")
    var batchSize = 100

    @Option(help: "With --loop: seconds between purges of expired sessions and old throttle rows (as `purge` does); 0: never.")
    var purgeInterval: Double = 3_600

    func validate() throws {
        if directory != nil && sendmail != nil {
            throw ValidationError("Give either --directory or --sendmail, not both.")
        }
        if let sendmail {
            let words = try sendmailCommand(sendmail)
            guard !words.isEmpty else { throw ValidationError("--sendmail needs a command.") }
            if fromText == nil {
                throw ValidationError("With --sendmail, give the From address with --from or $\(Self.fromEnvironment).")
            }
        }
        _ = try makeFormatter()
        guard sendmailTimeout > 0, sendmailTimeout <= 3_600 else {
            throw ValidationError("--sendmail-timeout must be more than 0 and at most 3600 seconds.")
        }
        guard interval > 0, interval <= 86_400 else {
            throw ValidationError("--interval must be more than 0 and at most 86400 seconds.")
        }
        guard purgeInterval >= 0, purgeInterval <= 86_400 else {
            throw ValidationError("--purge-interval must be between 0 and 86400 seconds.")
        }
        guard giveUpAfter >= 0, giveUpAfter <= 365 * 86_400 else {
            throw ValidationError("--give-up-after must be between 0 and 31536000 seconds.")
        }
        guard (1...10_000).contains(batchSize) else {
            throw ValidationError("--batch-size must be between 1 and 10000.")
        }
    }

    func run() throws {
        let database = try options.openEngine()
        let sqlite = database as? AppDatabase
        // One deliverer per SQLite file; on PostgreSQL, deliverers on every host share the
        // outbox through its claims.
        let lock: DeliveryLock?
        do {
            lock = sqlite == nil ? nil : try DeliveryLock(path: DeliveryLock.path(forDatabase: options.database))
        } catch {
            throw OperatorError("cannot deliver: \(error)")
        }
        defer { withExtendedLifetime(lock) {} }

        let transport: any MailTransport
        let destination: String
        if let sendmail {
            let command = try sendmailCommand(sendmail)
            transport = SendmailTransport(command: command, timeout: sendmailTimeout)
            destination = "through \(command.joined(separator: " "))"
        } else {
            let folder = directory ?? Self.defaultDirectory
            transport = DirectoryTransport(directory: URL(fileURLWithPath: folder, isDirectory: true))
            destination = "as .eml files in \(folder)"
        }
        let delivery = OutboxDelivery(database: try Self.outbox(of: database), transport: transport, formatter: try makeFormatter(),
                                      giveUpAfter: giveUpAfter)

        if loop {
            StopSignal.install()
            print("Delivering the outbox of \(options.displayName) \(destination) every \(Self.seconds(interval)); "
                  + "stop with Ctrl-C or SIGTERM.")
            flushOutput()
            let purge: (() throws -> Void)? = purgeInterval == 0 ? nil : {
                let counts = try database.purge(now: Date())
                if counts != PurgeCounts() {
                    print("\(Self.timestamp()) \(Purge.summary(counts))")
                    flushOutput()
                }
            }
            delivery.run(
                interval: interval, batchSize: batchSize, until: StopSignal.received,
                housekeepingInterval: purgeInterval, housekeeping: purge
            ) { counts in
                print("\(Self.timestamp()) delivered \(counts.delivered), failed \(counts.failed), given up \(counts.givenUp)")
                flushOutput()
            }
            print("Stopped.")
            return
        }

        // Everything due now, in batches; each row at most once (a row that fails now comes due
        // again later, and is left for the next run).
        let due = try database.outboxCounts().pending
        var total = DeliveryCounts()
        while total.delivered + total.failed < due {
            let counts = try delivery.deliverDue(limit: min(batchSize, due - total.delivered - total.failed))
            total = total + counts
            if counts.delivered + counts.failed == 0 { break }
        }
        let waiting = try database.outboxCounts().pending
        print("Delivered \(total.delivered) \(total.delivered == 1 ? "email" : "emails") \(destination); "
              + "failed \(total.failed) (given up \(total.givenUp)); \(waiting) still queued.")
        if total.failed > 0 {
            print(total.givenUp == 0
                ? "The failed emails stay queued and will be tried again later (see the errors above)."
                : "The failed emails not given up stay queued; `contacts-admin outbox` lists the given-up ones.")
            throw ExitCode(2)
        }
    }

    /// The engine's outbox operations, as delivery uses them.
    private static func outbox(of database: any StoreEngine) throws -> any OutboxStore {
        switch database {
        case let sqlite as AppDatabase: sqlite
        case let postgres as PostgresStore: postgres
        default: throw OperatorError("cannot deliver from this database")
        }
    }

    private var fromText: String? {
        from ?? ProcessInfo.processInfo.environment[Self.fromEnvironment].flatMap { $0.isEmpty ? nil : $0 }
    }

    private func fromAddress() throws -> EmailAddress {
        let text = fromText ?? Self.defaultFrom
        guard let address = try? EmailAddress(parsing: text) else {
            throw ValidationError("'\(text)' is not a usable From address (expected name@example.com).")
        }
        return address
    }

    private func makeFormatter() throws -> MessageFormatter {
        let address = try fromAddress()
        do {
            return try MessageFormatter(from: address, fromName: fromName)
        } catch {
            throw ValidationError("--from or --from-name: \(error).")
        }
    }

    private func sendmailCommand(_ text: String) throws -> [String] {
        do {
            return try SendmailTransport.parseCommand(text)
        } catch {
            throw ValidationError("--sendmail: \(error).")
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601)
    }
}

private func flushOutput() {
    fflush(nil)
}

/// SIGINT and SIGTERM ask the delivery loop to stop after the email in hand. A plain handler,
/// not SIG_IGN with a dispatch source: the sendmail commands started meanwhile get the default
/// actions back at exec.
private enum StopSignal {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0

    static func install() {
        signal(SIGINT) { _ in StopSignal.flag = 1 }
        signal(SIGTERM) { _ in StopSignal.flag = 1 }
    }

    static func received() -> Bool { flag != 0 }
}
