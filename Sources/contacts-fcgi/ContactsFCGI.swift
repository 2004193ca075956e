import ArgumentParser
import ContactsDomain
import ContactsStore
import FastCGIServer
import Foundation
import Logging
import ProgramSettings
import WebApp

/// The FastCGI executable: reads its options, builds the web application (catalog, templates,
/// database) and runs the accept loop until SIGTERM or SIGINT, then exits 0.
@main
struct ContactsFCGI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts-fcgi",
        abstract: "Service Contacts as a FastCGI responder behind nginx.",
        discussion: """
        Every option can also come from the environment variable named in its help, or from the \
        JSON configuration file given with --config (docs/CONFIGURATION.md): the command line \
        wins over the environment, which wins over the file. Relative paths are relative to the \
        working directory.

        The unix socket gets mode 0660 by default: the owner (this process) and the socket's \
        group may connect. Run the app as its own user and give the socket nginx's group \
        (--socket-group www-data), or run both as one user. SIGTERM or SIGINT stop accepting, \
        finish the requests in flight and exit 0.
        """
    )

    @Option(help: "JSON file with any of these options by their long names, e.g. {\"workers\": 8}. [env: CONTACTS_CONFIG]")
    var config: String?

    @Option(help: "Listen on a new unix socket at this path. [env: CONTACTS_SOCKET]")
    var socket: String?

    @Option(help: "Listen on TCP at a numeric ADDRESS:PORT (10.0.0.5:9000, [fd00::5]:9000), for nginx on another host; a private network only. [env: CONTACTS_LISTEN]")
    var listen: String?

    @Flag(help: "Accept on the listening socket passed as standard input, as spawn-fcgi does. [env: CONTACTS_INHERIT_SOCKET=1]")
    var inheritSocket = false

    @Option(help: "Octal permissions of the socket file. [env: CONTACTS_SOCKET_MODE] (default: 0660)")
    var socketMode: String?

    @Option(help: "Group of the socket file, e.g. the group nginx's workers run as. [env: CONTACTS_SOCKET_GROUP]")
    var socketGroup: String?

    @Option(help: "Worker threads. [env: CONTACTS_WORKERS] (default: two per core)")
    var workers: Int?

    @Option(help: "SQLite database file (create it with `contacts-admin migrate`) or postgres:// URL (password from PGPASSFILE, PGPASSWORD or the URL). [env: CONTACTS_DATABASE] (default: run/contacts.sqlite)")
    var database: String?

    @Option(help: "A file whose first line is the --database value, for a location that is a secret. [env: CONTACTS_DATABASE_FILE]")
    var databaseFile: String?

    @Option(help: "Directory of Localizable.xcstrings (the templates themselves are compiled in). [env: CONTACTS_TEMPLATES] (default: Templates)")
    var templates: String?

    @Option(help: "Base of the absolute links in emails. [env: CONTACTS_PUBLIC_BASE_URL] (default: http://127.0.0.1:8080)")
    var publicBaseURL: String?

    @Option(help: "Language when nothing else decides: pl, pt or it. [env: CONTACTS_DEFAULT_LANGUAGE] (default: pl)")
    var defaultLanguage: String?

    @Flag(help: "Mark cookies Secure (whenever the site is served over HTTPS). [env: CONTACTS_SECURE_COOKIES=1]")
    var secureCookies = false

    @Option(help: "Larger request bodies get 413. [env: CONTACTS_MAX_BODY_BYTES] (default: 65536)")
    var maxBodyBytes: Int?

    @Option(help: "trace, debug, info, notice, warning, error or critical. [env: CONTACTS_LOG_LEVEL] (default: info)")
    var logLevel: String?

    @Option(help: "text or json: how log lines, one per request among them, are written on standard error. [env: CONTACTS_LOG_FORMAT] (default: text)")
    var logFormat: String?

    @Option(help: "Days before an unconfirmed contact change request expires. [env: CONTACTS_REQUEST_DAYS] (default: 14)")
    var requestDays: Int?

    @Option(help: "Contact change requests one account may make per hour and per day, and requests that may name one account as the new contact per day, as HOUR,DAY,NAMED. [env: CONTACTS_REQUEST_LIMITS] (default: 50,200,20)")
    var requestLimits: String?

    @Option(help: "Password hashes (argon2id, 19 MiB and tens of milliseconds each) computed at once; a sign-in that finds none free within 250 ms gets 503 with Retry-After. [env: CONTACTS_PASSWORD_SLOTS] (default: one per core)")
    var passwordSlots: Int?

    @Option(help: "Demo aid: show the .eml files of this directory on /demo/mailbox, to every visitor. Never in production. [env: CONTACTS_DEMO_MAILBOX] (default: off)")
    var demoMailbox: String?

    @Flag(help: "Benchmark aid: serve /bench/bytes?size=N, N bytes from the app (bench/run). Never in production.")
    var benchRoutes = false

    mutating func run() throws {
        // First, before the database or anything else can start a thread: every thread must
        // inherit the blocked SIGTERM/SIGINT so that only the server's sigwait sees them.
        FastCGIServer.blockTerminationSignals()
        // The database (and the -wal and -shm files SQLite makes next to it) is for this user
        // only: it holds password hashes and session digests. The socket's mode is set apart.
        umask(0o077)

        let settings: Settings
        do {
            settings = try Settings(try ProgramSettings(commandLine: commandLine, configurationFile: config), benchRoutes: benchRoutes)
        } catch let error as SettingsError {
            throw ValidationError(error.description)
        }
        LoggingSystem.bootstrap { label in
            switch settings.logFormat {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = settings.logLevel
                return handler
            case .json:
                return JSONLogHandler(label: label, logLevel: settings.logLevel)
            }
        }
        let logger = Logger(label: "contacts-fcgi")
        if let file = settings.configurationFile {
            logger.info("settings from the command line, the environment and \(file)")
        }

        ProcessTuning.limitMallocArenas()
        let application: Application
        do {
            application = try Application(configuration: settings.application)
        } catch {
            logger.critical("cannot start: \(String(describing: error))")
            throw ExitCode(1)
        }

        let server = FastCGIServer(configuration: settings.server, logger: Logger(label: "contacts-fcgi.fastcgi"))
        do {
            try server.run(responder: LoggingResponder(inner: application, logger: Logger(label: "contacts-fcgi.request")))
        } catch {
            logger.critical("cannot serve: \(String(describing: error))")
            throw ExitCode(1)
        }
    }

    /// The options given on the command line, by setting; the rest come from the environment and
    /// the configuration file.
    var commandLine: [SettingKey: CommandLineValue] {
        var values: [SettingKey: CommandLineValue] = [:]
        let strings: [(SettingKey, String?)] = [
            (.socket, socket), (.listen, listen), (.socketMode, socketMode), (.socketGroup, socketGroup), (.database, database),
            (.databaseFile, databaseFile), (.templates, templates), (.publicBaseURL, publicBaseURL),
            (.defaultLanguage, defaultLanguage), (.logLevel, logLevel), (.logFormat, logFormat),
            (.requestLimits, requestLimits), (.demoMailbox, demoMailbox),
        ]
        for case (let key, let value?) in strings { values[key] = .string(value) }
        let integers: [(SettingKey, Int?)] = [
            (.workers, workers), (.maxBodyBytes, maxBodyBytes), (.requestDays, requestDays), (.passwordSlots, passwordSlots),
        ]
        for case (let key, let value?) in integers { values[key] = .int(value) }
        // A flag left off says nothing: the environment or the file may still set it.
        if inheritSocket { values[.inheritSocket] = .bool(true) }
        if secureCookies { values[.secureCookies] = .bool(true) }
        return values
    }
}
