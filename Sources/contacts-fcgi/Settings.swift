import ContactsDomain
import ContactsStore
import FastCGIServer
import Foundation
import Logging
import ProgramSettings
import WebApp

/// The web application's settings after the defaults, checked: one message per mistake, naming
/// the option, before anything starts.
struct Settings {
    var server: FastCGIServer.Configuration
    var application: AppConfiguration
    var logLevel: Logger.Level
    var logFormat: LogFormat
    var configurationFile: String?

    init(_ settings: ProgramSettings, benchRoutes: Bool) throws {
        configurationFile = settings.configurationFile
        let levelText = try settings.string(.logLevel) ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw SettingsError("log level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not \(levelText)")
        }
        logLevel = level
        let formatText = try settings.string(.logFormat) ?? "text"
        guard let format = LogFormat(rawValue: formatText.lowercased()) else {
            throw SettingsError("log format must be text or json, not \(formatText)")
        }
        logFormat = format

        server = try Self.server(settings)
        application = try Self.application(settings, benchRoutes: benchRoutes)
    }

    private static func server(_ settings: ProgramSettings) throws -> FastCGIServer.Configuration {
        let listen: FastCGIServer.Configuration.Listen
        switch (try settings.string(.socket), try settings.bool(.inheritSocket) ?? false) {
        case (.some, true):
            throw SettingsError("give either --socket or --inherit-socket, not both")
        case (nil, false):
            throw SettingsError("give --socket PATH (or CONTACTS_SOCKET, or \"socket\" in the configuration file), or --inherit-socket under spawn-fcgi or systemd")
        case (nil, true):
            listen = .inherited
        case (.some(let path), false):
            let modeText = try settings.string(.socketMode) ?? "0660"
            guard let mode = UInt32(modeText, radix: 8), mode <= 0o777 else {
                throw SettingsError("socket mode must be octal permissions such as 0660, not \(modeText)")
            }
            listen = .unixSocket(path: path, mode: mode, group: try settings.string(.socketGroup))
        }
        let workers = try settings.int(.workers) ?? FastCGIServer.Configuration.defaultWorkerCount
        guard (1...256).contains(workers) else { throw SettingsError("workers must be between 1 and 256") }
        let maxBody = try settings.int(.maxBodyBytes) ?? FastCGIServer.Configuration.defaultMaxBodyBytes
        guard (0...(64 << 20)).contains(maxBody) else { throw SettingsError("max body bytes must be between 0 and 64 MiB") }
        return FastCGIServer.Configuration(listen: listen, workerCount: workers, maxBodyBytes: maxBody)
    }

    private static func application(_ settings: ProgramSettings, benchRoutes: Bool) throws -> AppConfiguration {
        let databasePath = try settings.databaseLocation(default: "run/contacts.sqlite")
        if case .postgres = DatabaseLocation(databasePath) {
            throw SettingsError("the web application runs on a SQLite file only for now; PostgreSQL serves contacts-admin migrate, add-account, set-password, set-payment, add-service, deliver-mail, outbox and purge")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: databasePath, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw SettingsError("no database at \(databasePath); create it with `contacts-admin migrate --database \(databasePath)`")
        }
        let templatesDirectory = try settings.string(.templates) ?? "Templates"
        guard FileManager.default.fileExists(atPath: templatesDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SettingsError("no templates directory at \(templatesDirectory)")
        }
        let publicBaseURL = try settings.string(.publicBaseURL) ?? "http://127.0.0.1:8080"
        guard let url = URL(string: publicBaseURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw SettingsError("public base URL must be an absolute http(s) URL, not \(publicBaseURL)")
        }
        let languageText = try settings.string(.defaultLanguage) ?? "pl"
        guard let language = Language(rawValue: languageText.lowercased()) else {
            throw SettingsError("default language must be pl, pt or it, not \(languageText)")
        }
        let secureCookies = try settings.bool(.secureCookies) ?? false

        let days = try settings.int(.requestDays) ?? 14
        guard (1...365).contains(days) else { throw SettingsError("request days must be between 1 and 365") }
        var creationLimits = RequestPolicy.creationLimits
        if let text = try settings.string(.requestLimits) {
            let numbers = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard numbers.count == 3, let hour = numbers[0], let day = numbers[1], let named = numbers[2],
                  [hour, day, named].allSatisfy({ (1...1_000_000).contains($0) })
            else { throw SettingsError("request limits must be three whole numbers HOUR,DAY,NAMED from 1 to 1000000, not \(text)") }
            creationLimits = CreationLimits(perAskerPerHour: hour, perAskerPerDay: day, perTargetPerDay: named)
        }
        let passwordSlots = try settings.int(.passwordSlots) ?? ProcessInfo.processInfo.activeProcessorCount
        guard (1...64).contains(passwordSlots) else { throw SettingsError("password slots must be between 1 and 64") }
        let demoMailbox = try settings.string(.demoMailbox)
        // Secure cookies mean HTTPS, i.e. a real site: a page that shows everybody's codes to
        // every visitor must never be on there.
        if demoMailbox != nil && secureCookies {
            throw SettingsError("--demo-mailbox shows every account's emails, codes included, to every visitor: "
                + "it is for the local demo only and cannot be combined with --secure-cookies (a production set-up)")
        }
        return AppConfiguration(
            databasePath: databasePath,
            templatesDirectory: templatesDirectory,
            publicBaseURL: publicBaseURL,
            defaultLanguage: language,
            secureCookies: secureCookies,
            requestLifetime: TimeInterval(days) * 24 * 60 * 60,
            creationLimits: creationLimits,
            passwordHashingSlots: passwordSlots,
            demoMailboxDirectory: demoMailbox,
            benchRoutes: benchRoutes
        )
    }
}
