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
        application = try Self.application(settings, benchRoutes: benchRoutes, connections: server.workerCount)
    }

    private static func server(_ settings: ProgramSettings) throws -> FastCGIServer.Configuration {
        let listen: FastCGIServer.Configuration.Listen
        let socketPath = try settings.string(.socket)
        let tcpAddress = try settings.string(.listen)
        let inherit = try settings.bool(.inheritSocket) ?? false
        switch (socketPath, tcpAddress, inherit) {
        case (nil, nil, false):
            throw SettingsError("give --socket PATH (or CONTACTS_SOCKET, or \"socket\" in the configuration file), --listen ADDRESS:PORT, or --inherit-socket under spawn-fcgi or systemd")
        case (nil, nil, true):
            listen = .inherited
        case (.some(let path), nil, false):
            let modeText = try settings.string(.socketMode) ?? "0660"
            guard let mode = UInt32(modeText, radix: 8), mode <= 0o777 else {
                throw SettingsError("socket mode must be octal permissions such as 0660, not \(modeText)")
            }
            listen = .unixSocket(path: path, mode: mode, group: try settings.string(.socketGroup))
        case (nil, .some(let address), false):
            listen = try Self.tcpListen(address)
        default:
            throw SettingsError("give one of --socket, --listen and --inherit-socket")
        }
        let workers = try settings.int(.workers) ?? FastCGIServer.Configuration.defaultWorkerCount
        guard (1...256).contains(workers) else { throw SettingsError("workers must be between 1 and 256") }
        let maxBody = try settings.int(.maxBodyBytes) ?? FastCGIServer.Configuration.defaultMaxBodyBytes
        guard (0...(64 << 20)).contains(maxBody) else { throw SettingsError("max body bytes must be between 0 and 64 MiB") }
        return FastCGIServer.Configuration(listen: listen, workerCount: workers, maxBodyBytes: maxBody)
    }

    /// "10.0.0.5:9000" or "[fd00::5]:9000": a numeric address, so that what the app listens on
    /// is exactly what the operator wrote.
    private static func tcpListen(_ address: String) throws -> FastCGIServer.Configuration.Listen {
        let host: Substring
        let portText: Substring
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            host = address[address.index(after: address.startIndex)..<close]
            portText = address[address.index(after: close)...].dropFirst()
            guard address[address.index(after: close)...].hasPrefix(":") else {
                throw SettingsError("listen must be ADDRESS:PORT, e.g. 10.0.0.5:9000 or [fd00::5]:9000, not \(address)")
            }
        } else if let colon = address.lastIndex(of: ":"), !address[..<colon].contains(":") {
            host = address[..<colon]
            portText = address[address.index(after: colon)...]
        } else {
            throw SettingsError("listen must be ADDRESS:PORT, e.g. 10.0.0.5:9000 or [fd00::5]:9000, not \(address)")
        }
        guard let port = UInt16(portText), port > 0, !host.isEmpty else {
            throw SettingsError("listen must be ADDRESS:PORT with a port from 1 to 65535, not \(address)")
        }
        return .tcp(host: String(host), port: port)
    }

    private static func application(_ settings: ProgramSettings, benchRoutes: Bool, connections: Int) throws -> AppConfiguration {
        let databaseLocation = try settings.databaseLocation(default: "run/contacts.sqlite")
        var isDirectory: ObjCBool = false
        if case .sqlite(let path) = DatabaseLocation(databaseLocation) {
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw SettingsError("no database at \(path); create it with `contacts-admin migrate --database \(path)`")
            }
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
            databaseLocation: databaseLocation,
            databaseConnections: connections,
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
