import ArgumentParser
import ContactsDomain
import ContactsStore
import Foundation
import Mailer
import ProgramSettings

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

    @OptionGroup var options: DatabaseOptions

    @Option(help: ArgumentHelp(
        "Write each message as an .eml file into this folder, created if needed (the default, with \(defaultDirectory)). [env: CONTACTS_MAIL_DIRECTORY]",
        valueName: "folder"))
    var directory: String?

    @Option(help: ArgumentHelp(
        "Deliver through this sendmail-compatible command, given as one argument, for example "
            + "\"/usr/sbin/sendmail -i --\"; the recipient is appended. No shell: quotes group words. [env: CONTACTS_MAIL_SENDMAIL]",
        valueName: "command"))
    var sendmail: String?

    @Option(help: "Seconds a sendmail command may take before it is killed and the attempt counts as failed. [env: CONTACTS_MAIL_SENDMAIL_TIMEOUT] (default: 60)")
    var sendmailTimeout: Double?

    @Option(help: ArgumentHelp(
        "The From address (required with --sendmail). [env: CONTACTS_MAIL_FROM] (default: \(defaultFrom))",
        valueName: "address"))
    var from: String?

    @Option(help: ArgumentHelp("A name shown with the From address. [env: CONTACTS_MAIL_FROM_NAME]", valueName: "name"))
    var fromName: String?

    @Flag(help: "Keep running: deliver, wait --interval seconds, and again, until SIGINT or SIGTERM.")
    var loop = false

    @Option(help: "Seconds between passes with --loop. [env: CONTACTS_MAIL_INTERVAL] (default: 10)")
    var interval: Double?

    @Option(help: "Seconds an email may keep failing, from its first failed attempt, before it is given up (0: at the first failure). [env: CONTACTS_MAIL_GIVE_UP_AFTER] (default: 259200, 3 days)")
    var giveUpAfter: Double?

    @Option(help: "Emails handled per pass at most. [env: CONTACTS_MAIL_BATCH_SIZE] (default: 100)")
    var batchSize: Int?

    @Option(help: "With --loop: seconds between purges of expired sessions and old throttle rows (as `purge` does); 0: never. [env: CONTACTS_MAIL_PURGE_INTERVAL] (default: 3600)")
    var purgeInterval: Double?

    func validate() throws {
        _ = try resolved()
    }

    /// The options after the environment, the configuration file and the defaults, checked.
    struct Resolved {
        var transport: Transport
        var sendmailTimeout: Double
        var formatter: MessageFormatter
        var interval: Double
        var giveUpAfter: Double
        var batchSize: Int
        var purgeInterval: Double

        enum Transport {
            case directory(String)
            case sendmail([String])
        }
    }

    func resolved() throws -> Resolved {
        var given: [SettingKey: CommandLineValue] = [:]
        let strings: [(SettingKey, String?)] = [
            (.mailDirectory, directory), (.mailSendmail, sendmail), (.mailFrom, from), (.mailFromName, fromName),
        ]
        for case (let key, let value?) in strings { given[key] = .string(value) }
        let numbers: [(SettingKey, Double?)] = [
            (.mailSendmailTimeout, sendmailTimeout), (.mailInterval, interval), (.mailGiveUpAfter, giveUpAfter),
            (.mailPurgeInterval, purgeInterval),
        ]
        for case (let key, let value?) in numbers { given[key] = .double(value) }
        if let batchSize { given[.mailBatchSize] = .int(batchSize) }
        let settings = try options.settings(adding: given)
        do {
            return try resolve(settings)
        } catch let error as SettingsError {
            throw ValidationError(error.description)
        }
    }

    private func resolve(_ settings: ProgramSettings) throws -> Resolved {
        let directory = try settings.string(.mailDirectory)
        let sendmail = try settings.string(.mailSendmail)
        let from = try settings.string(.mailFrom)
        let transport: Resolved.Transport
        switch (directory, sendmail) {
        case (.some, .some):
            throw ValidationError("Give either --directory or --sendmail, not both.")
        case (_, .some(let command)):
            let words = try sendmailCommand(command)
            guard !words.isEmpty else { throw ValidationError("--sendmail needs a command.") }
            guard from != nil else {
                throw ValidationError("With --sendmail, give the From address with --from or $\(SettingKey.mailFrom.environmentName).")
            }
            transport = .sendmail(words)
        case (let folder, nil):
            transport = .directory(folder ?? Self.defaultDirectory)
        }
        let resolved = Resolved(
            transport: transport,
            sendmailTimeout: try settings.double(.mailSendmailTimeout) ?? 60,
            formatter: try makeFormatter(from: from ?? Self.defaultFrom, fromName: try settings.string(.mailFromName)),
            interval: try settings.double(.mailInterval) ?? 10,
            giveUpAfter: try settings.double(.mailGiveUpAfter) ?? DeliveryPolicy.defaultGiveUpAfter,
            batchSize: try settings.int(.mailBatchSize) ?? 100,
            purgeInterval: try settings.double(.mailPurgeInterval) ?? 3_600)
        guard resolved.sendmailTimeout > 0, resolved.sendmailTimeout <= 3_600 else {
            throw ValidationError("--sendmail-timeout must be more than 0 and at most 3600 seconds.")
        }
        guard resolved.interval > 0, resolved.interval <= 86_400 else {
            throw ValidationError("--interval must be more than 0 and at most 86400 seconds.")
        }
        guard resolved.purgeInterval >= 0, resolved.purgeInterval <= 86_400 else {
            throw ValidationError("--purge-interval must be between 0 and 86400 seconds.")
        }
        guard resolved.giveUpAfter >= 0, resolved.giveUpAfter <= 365 * 86_400 else {
            throw ValidationError("--give-up-after must be between 0 and 31536000 seconds.")
        }
        guard (1...10_000).contains(resolved.batchSize) else {
            throw ValidationError("--batch-size must be between 1 and 10000.")
        }
        return resolved
    }

    func run() throws {
        let settings = try resolved()
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
        switch settings.transport {
        case .sendmail(let command):
            transport = SendmailTransport(command: command, timeout: settings.sendmailTimeout)
            destination = "through \(command.joined(separator: " "))"
        case .directory(let folder):
            transport = DirectoryTransport(directory: URL(fileURLWithPath: folder, isDirectory: true))
            destination = "as .eml files in \(folder)"
        }
        let delivery = OutboxDelivery(database: try Self.outbox(of: database), transport: transport, formatter: settings.formatter,
                                      giveUpAfter: settings.giveUpAfter)

        if loop {
            StopSignal.install()
            print("Delivering the outbox of \(options.displayName) \(destination) every \(Self.seconds(settings.interval)); "
                  + "stop with Ctrl-C or SIGTERM.")
            flushOutput()
            let purge: (() throws -> Void)? = settings.purgeInterval == 0 ? nil : {
                let counts = try database.purge(now: Date())
                if counts != PurgeCounts() {
                    print("\(Self.timestamp()) \(Purge.summary(counts))")
                    flushOutput()
                }
            }
            delivery.run(
                interval: settings.interval, batchSize: settings.batchSize, until: StopSignal.received,
                housekeepingInterval: settings.purgeInterval, housekeeping: purge
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
            let counts = try delivery.deliverDue(limit: min(settings.batchSize, due - total.delivered - total.failed))
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

    private func makeFormatter(from text: String, fromName: String?) throws -> MessageFormatter {
        guard let address = try? EmailAddress(parsing: text) else {
            throw ValidationError("'\(text)' is not a usable From address (expected name@example.com).")
        }
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
