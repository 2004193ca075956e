import ArgumentParser
import ContactsDomain
import ContactsStore
import FastCGIServer
import Foundation
import Logging
import WebApp

/// The FastCGI executable: reads its options, builds the web application (catalog, templates,
/// database) and runs the accept loop until SIGTERM or SIGINT, then exits 0.
@main
struct ContactsFCGI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts-fcgi",
        abstract: "Service Contacts as a FastCGI responder behind nginx.",
        discussion: """
        Every option can also come from the environment variable named in its help; the \
        command line wins. Relative paths are relative to the working directory.

        The unix socket gets mode 0660 by default: the owner (this process) and the socket's \
        group may connect. Run the app as its own user and give the socket nginx's group \
        (--socket-group www-data), or run both as one user. SIGTERM or SIGINT stop accepting, \
        finish the requests in flight and exit 0.
        """
    )

    @Option(help: "Listen on a new unix socket at this path. [env: CONTACTS_SOCKET]")
    var socket: String?

    @Flag(help: "Accept on the listening socket passed as standard input, as spawn-fcgi does. [env: CONTACTS_INHERIT_SOCKET=1]")
    var inheritSocket = false

    @Option(help: "Octal permissions of the socket file. [env: CONTACTS_SOCKET_MODE] (default: 0660)")
    var socketMode: String?

    @Option(help: "Group of the socket file, e.g. the group nginx's workers run as. [env: CONTACTS_SOCKET_GROUP]")
    var socketGroup: String?

    @Option(help: "Worker threads. [env: CONTACTS_WORKERS] (default: two per core)")
    var workers: Int?

    @Option(help: "SQLite database file; create it with `contacts-admin migrate` (a postgres:// URL is refused for now). [env: CONTACTS_DATABASE] (default: run/contacts.sqlite)")
    var database: String?

    @Option(help: "Directory of templates and Localizable.xcstrings. [env: CONTACTS_TEMPLATES] (default: Templates)")
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

        let environment = ProcessInfo.processInfo.environment
        let level = try Self.logLevel(logLevel ?? environment["CONTACTS_LOG_LEVEL"] ?? "info")
        let formatText = logFormat ?? environment["CONTACTS_LOG_FORMAT"].flatMap { $0.isEmpty ? nil : $0 } ?? "text"
        guard let format = LogFormat(rawValue: formatText.lowercased()) else {
            throw ValidationError("log format must be text or json, not \(formatText)")
        }
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                return JSONLogHandler(label: label, logLevel: level)
            }
        }
        let logger = Logger(label: "contacts-fcgi")

        let settings: Settings
        do {
            settings = try Settings(options: self, environment: environment)
        } catch let error as Settings.Invalid {
            throw ValidationError(error.message)
        }

        ProcessTuning.limitMallocArenas()
        let application: Application
        do {
            application = try Application(configuration: AppConfiguration(
                databasePath: settings.databasePath,
                templatesDirectory: settings.templatesDirectory,
                publicBaseURL: settings.publicBaseURL,
                defaultLanguage: settings.defaultLanguage,
                secureCookies: settings.secureCookies,
                requestLifetime: settings.requestLifetime,
                creationLimits: settings.creationLimits,
                passwordHashingSlots: settings.passwordSlots,
                demoMailboxDirectory: settings.demoMailboxDirectory,
                benchRoutes: benchRoutes
            ))
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

    static func logLevel(_ text: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ValidationError("log level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return level
    }
}

/// The options after the environment fallbacks and defaults, checked.
struct Settings {
    struct Invalid: Error {
        let message: String
    }

    var server: FastCGIServer.Configuration
    var databasePath: String
    var templatesDirectory: String
    var publicBaseURL: String
    var defaultLanguage: Language
    var secureCookies: Bool
    var requestLifetime: TimeInterval
    var creationLimits: CreationLimits
    var passwordSlots: Int
    var demoMailboxDirectory: String?

    init(options: ContactsFCGI, environment: [String: String]) throws {
        func flag(_ name: String) -> Bool {
            ["1", "true", "yes", "on"].contains(environment[name]?.lowercased() ?? "")
        }
        func integer(_ option: Int?, _ name: String) throws -> Int? {
            if let option { return option }
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw Invalid(message: "\(name) must be a whole number, not \(text)") }
            return value
        }

        let socketPath = options.socket ?? environment["CONTACTS_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        let inherit = options.inheritSocket || flag("CONTACTS_INHERIT_SOCKET")
        let listen: FastCGIServer.Configuration.Listen
        switch (socketPath, inherit) {
        case (.some, true):
            throw Invalid(message: "give either --socket or --inherit-socket, not both")
        case (nil, false):
            throw Invalid(message: "give --socket PATH (or CONTACTS_SOCKET), or --inherit-socket under spawn-fcgi")
        case (nil, true):
            listen = .inherited
        case (.some(let path), false):
            let modeText = options.socketMode ?? environment["CONTACTS_SOCKET_MODE"] ?? "0660"
            guard let mode = UInt32(modeText, radix: 8), mode <= 0o777 else {
                throw Invalid(message: "socket mode must be octal permissions such as 0660, not \(modeText)")
            }
            let group = options.socketGroup ?? environment["CONTACTS_SOCKET_GROUP"].flatMap { $0.isEmpty ? nil : $0 }
            listen = .unixSocket(path: path, mode: mode, group: group)
        }

        let workers = try integer(options.workers, "CONTACTS_WORKERS") ?? FastCGIServer.Configuration.defaultWorkerCount
        guard (1...256).contains(workers) else { throw Invalid(message: "workers must be between 1 and 256") }
        let maxBody = try integer(options.maxBodyBytes, "CONTACTS_MAX_BODY_BYTES")
            ?? FastCGIServer.Configuration.defaultMaxBodyBytes
        guard (0...(64 << 20)).contains(maxBody) else { throw Invalid(message: "max body bytes must be between 0 and 64 MiB") }
        server = FastCGIServer.Configuration(listen: listen, workerCount: workers, maxBodyBytes: maxBody)

        databasePath = options.database ?? environment["CONTACTS_DATABASE"] ?? "run/contacts.sqlite"
        if case .postgres = DatabaseLocation(databasePath) {
            throw Invalid(message: "the web application runs on a SQLite file only for now; PostgreSQL serves contacts-admin migrate, add-account, set-password, set-payment, add-service, deliver-mail, outbox and purge")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: databasePath, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw Invalid(message: "no database at \(databasePath); create it with `contacts-admin migrate --database \(databasePath)`")
        }
        templatesDirectory = options.templates ?? environment["CONTACTS_TEMPLATES"] ?? "Templates"
        guard FileManager.default.fileExists(atPath: templatesDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Invalid(message: "no templates directory at \(templatesDirectory)")
        }

        publicBaseURL = options.publicBaseURL ?? environment["CONTACTS_PUBLIC_BASE_URL"] ?? "http://127.0.0.1:8080"
        guard let url = URL(string: publicBaseURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw Invalid(message: "public base URL must be an absolute http(s) URL, not \(publicBaseURL)")
        }

        let languageText = options.defaultLanguage ?? environment["CONTACTS_DEFAULT_LANGUAGE"] ?? "pl"
        guard let language = Language(rawValue: languageText.lowercased()) else {
            throw Invalid(message: "default language must be pl, pt or it, not \(languageText)")
        }
        defaultLanguage = language
        secureCookies = options.secureCookies || flag("CONTACTS_SECURE_COOKIES")

        let days = try integer(options.requestDays, "CONTACTS_REQUEST_DAYS") ?? 14
        guard (1...365).contains(days) else { throw Invalid(message: "request days must be between 1 and 365") }
        requestLifetime = TimeInterval(days) * 24 * 60 * 60
        creationLimits = RequestPolicy.creationLimits
        if let text = options.requestLimits ?? environment["CONTACTS_REQUEST_LIMITS"].flatMap({ $0.isEmpty ? nil : $0 }) {
            let numbers = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard numbers.count == 3, let hour = numbers[0], let day = numbers[1], let named = numbers[2],
                  [hour, day, named].allSatisfy({ (1...1_000_000).contains($0) })
            else { throw Invalid(message: "request limits must be three whole numbers HOUR,DAY,NAMED from 1 to 1000000, not \(text)") }
            creationLimits = CreationLimits(perAskerPerHour: hour, perAskerPerDay: day, perTargetPerDay: named)
        }
        passwordSlots = try integer(options.passwordSlots, "CONTACTS_PASSWORD_SLOTS") ?? ProcessInfo.processInfo.activeProcessorCount
        guard (1...64).contains(passwordSlots) else { throw Invalid(message: "password slots must be between 1 and 64") }
        demoMailboxDirectory = options.demoMailbox ?? environment["CONTACTS_DEMO_MAILBOX"].flatMap { $0.isEmpty ? nil : $0 }
        // Secure cookies mean HTTPS, i.e. a real site: a page that shows everybody's codes to
        // every visitor must never be on there.
        if demoMailboxDirectory != nil && secureCookies {
            throw Invalid(message: "--demo-mailbox shows every account's emails, codes included, to every visitor: "
                + "it is for the local demo only and cannot be combined with --secure-cookies (a production set-up)")
        }
    }
}
