import ArgumentParser
import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import ProgramSettings

@main
struct ContactsAdmin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts-admin",
        abstract: "Operator commands for the Service Contacts database.",
        discussion: "Every command takes --database PATH (default run/contacts.sqlite) and migrates it first. "
            + "Options of deliver-mail and expire-requests may also come from CONTACTS_* variables or --config FILE (docs/CONFIGURATION.md).",
        subcommands: [
            Migrate.self, DemoData.self, AddAccount.self, SetPassword.self, SetPayment.self, AddService.self, SetOwner.self,
            DeliverMail.self, ExpireRequests.self, Purge.self, BenchData.self, Backup.self, OutboxCommand.self, CreateToken.self, CopyCommand.self,
        ])
}

// MARK: - Shared options and parsing

struct DatabaseOptions: ParsableArguments {
    static let defaultDatabase = "run/contacts.sqlite"

    @Option(help: ArgumentHelp(
        "JSON configuration file shared with contacts-fcgi (docs/CONFIGURATION.md); the command line and CONTACTS_* variables win over it. [env: CONTACTS_CONFIG]",
        valueName: "file"))
    var config: String?

    @Option(name: .customLong("database"), help: ArgumentHelp(
        "Path of the SQLite database file (created, with its folder, when missing), or a postgres:// URL. [env: CONTACTS_DATABASE] (default: \(defaultDatabase))",
        discussion: "The PostgreSQL password comes from the URL, PGPASSFILE or PGPASSWORD, or the whole URL from --database-file.",
        valueName: "database"))
    var databaseOption: String?

    @Option(help: ArgumentHelp(
        "A file whose first line is the --database value, for a location that is a secret. [env: CONTACTS_DATABASE_FILE]",
        valueName: "file"))
    var databaseFile: String?

    /// The command line, the environment and the configuration file together; `extra` are the
    /// command's own options given on its command line.
    func settings(adding extra: [SettingKey: CommandLineValue] = [:]) throws -> ProgramSettings {
        var values = extra
        if let databaseOption { values[.database] = .string(databaseOption) }
        if let databaseFile { values[.databaseFile] = .string(databaseFile) }
        do {
            return try ProgramSettings(commandLine: values, configurationFile: config)
        } catch let error as SettingsError {
            throw ValidationError(error.description)
        }
    }

    func validate() throws {
        do {
            _ = try settings().databaseLocation(default: Self.defaultDatabase)
        } catch let error as SettingsError {
            throw ValidationError(error.description)
        }
    }

    /// The database's location; `validate()` has checked that it can be found.
    var database: String {
        (try? settings().databaseLocation(default: Self.defaultDatabase)) ?? Self.defaultDatabase
    }

    /// The store on either engine, migrated: for the commands both engines provide. `emails`
    /// renders the request emails, for the commands that act on requests.
    func openEngine(emails: (any RequestEmailComposer)? = nil) throws -> any StoreEngine {
        guard case .postgres(let url) = DatabaseLocation(database) else {
            return try emails.map { try open().with(emails: $0) } ?? open()
        }
        do {
            return try PostgresStore(url: url, emails: emails)
        } catch {
            throw OperatorError("cannot open the PostgreSQL database: \(error)")
        }
    }

    /// Opens the SQLite database, creating its folder and migrating the schema as needed.
    func open() throws -> AppDatabase {
        if case .postgres = DatabaseLocation(database) {
            throw OperatorError("this command works on a SQLite file only (on PostgreSQL, every command but backup and bench-data works; back PostgreSQL up with pg_dump)")
        }
        let folder = URL(fileURLWithPath: database).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw OperatorError("cannot create the folder \(folder.path) for the database: \(error.localizedDescription)")
        }
        do {
            return try AppDatabase(path: database)
        } catch {
            throw OperatorError("cannot open the database at \(database): \(error)")
        }
    }

    /// The database as shown to the operator: a URL without its password.
    var displayName: String {
        guard case .postgres = DatabaseLocation(database), var url = URLComponents(string: database) else { return database }
        if url.password != nil { url.password = "…" }
        return url.string ?? "the PostgreSQL database"
    }
}

/// A failure explained to the operator; printed as "Error: <message>", exit status 1.
struct OperatorError: Error, CustomStringConvertible, LocalizedError {
    let description: String
    init(_ description: String) { self.description = description }
    var errorDescription: String? { description }
}

enum Parse {
    static func customerID(_ text: String) throws -> CustomerID {
        do {
            return try CustomerID(parsing: text)
        } catch {
            throw ValidationError(
                "'\(text)' is not a customer ID: expected two letters, one or more digits, then -ovh "
                    + "(for example aa123456-ovh).")
        }
    }

    static func email(_ text: String) throws -> EmailAddress {
        do {
            return try EmailAddress(parsing: text)
        } catch {
            throw ValidationError("'\(text)' is not a usable email address (expected name@example.com).")
        }
    }

    static func language(_ text: String) throws -> Language {
        guard let language = Language(rawValue: text.lowercased()) else {
            throw ValidationError("'\(text)' is not a language: expected pl, pt or it.")
        }
        return language
    }

    static func paymentStatus(_ text: String) throws -> PaymentStatus {
        switch text.lowercased() {
        case "up-to-date": return .upToDate
        case "overdue": return .overdue
        default: throw ValidationError("'\(text)' is not a payment status: expected up-to-date or overdue.")
        }
    }

    static func serviceType(_ text: String) throws -> ServiceType {
        guard let type = ServiceType(rawValue: text.lowercased()) else {
            let names = ServiceType.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("'\(text)' is not a service type: expected one of \(names).")
        }
        return type
    }

    static func displayName(_ text: String) throws -> String {
        try displayText(text, what: "display name", maximumLength: DisplayText.maximumDisplayNameLength)
    }

    static func serviceName(_ text: String) throws -> String {
        try displayText(text, what: "service name", maximumLength: DisplayText.maximumServiceNameLength)
    }

    /// Surrounding spaces are trimmed; everything else must pass ContactsDomain's one rule.
    static func displayText(_ text: String, what: String, maximumLength: Int) throws -> String {
        let name = text.trimmingCharacters(in: .whitespaces)
        do {
            try DisplayText.check(name, maximumLength: maximumLength)
        } catch {
            throw ValidationError("The \(what) must be 1 to \(maximumLength) characters on one line, "
                + "without control, invisible or direction-changing characters: \(error).")
        }
        return name
    }

    static let minimumPasswordLength = 8

    static func password(_ text: String) throws -> String {
        guard text.count >= minimumPasswordLength else {
            throw ValidationError("The password must have at least \(minimumPasswordLength) characters.")
        }
        guard text.utf8.count <= PasswordHasher.maximumPasswordBytes else {
            throw ValidationError("The password is too long.")
        }
        return text
    }
}

/// Where a password comes from: `--password-stdin` (first line of standard input) or
/// `--password X` (visible to other users in the process list; for scripts on a private machine).
struct PasswordOptions: ParsableArguments {
    @Flag(help: "Read the password from the first line of standard input.")
    var passwordStdin = false

    @Option(help: "The password (visible in the process list: prefer --password-stdin).")
    var password: String?

    func validate() throws {
        if passwordStdin && password != nil {
            throw ValidationError("Give either --password-stdin or --password, not both.")
        }
        if let password { _ = try Parse.password(password) }
    }

    /// The password from the option, or else from standard input when `stdinByDefault` or
    /// `--password-stdin` say so.
    func read(stdinByDefault: Bool) throws -> String {
        if let password { return password }
        guard passwordStdin || stdinByDefault else {
            throw ValidationError("Give the password with --password-stdin or --password.")
        }
        guard let line = readLine(strippingNewline: true) else {
            throw OperatorError("no password on standard input.")
        }
        do {
            return try Parse.password(line.hasSuffix("\r") ? String(line.dropLast()) : line)
        } catch let error as ValidationError {
            throw OperatorError(error.message)
        }
    }
}

extension StoreError {
    /// The operator's explanation of a store error.
    func explained(account: CustomerID? = nil) -> OperatorError {
        switch self {
        case .duplicateAccount: OperatorError("an account \(account?.rawValue ?? "with this customer ID") already exists.")
        case .unknownAccount: OperatorError("no account \(account?.rawValue ?? "with this customer ID") exists.")
        case .unknownService: OperatorError("no such service.")
        case .duplicateService: OperatorError("a service of this type with this name already exists.")
        case .invalidServiceName: OperatorError("the service name must be 1 to 255 characters on one line, without surrounding spaces.")
        case .invalidDisplayName: OperatorError("the display name must be 1 to 200 characters on one line.")
        case .noEmailComposer: OperatorError("this command cannot write request emails.")
        }
    }
}

// MARK: - Commands

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create the database or bring its schema up to date.")

    @OptionGroup var options: DatabaseOptions

    func run() throws {
        let database = try options.openEngine()
        let applied = try database.appliedMigrations()
        print("Database \(options.displayName) is up to date (migrations: \(applied.joined(separator: ", "))).")
    }
}

struct AddAccount: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a customer account.")

    @OptionGroup var options: DatabaseOptions
    @Option(help: "Customer ID, e.g. aa123456-ovh (any case; stored lower-case).", transform: Parse.customerID)
    var id: CustomerID
    @Option(help: "Display name shown to other contacts.", transform: Parse.displayName)
    var name: String
    @Option(help: "Email address for notifications.", transform: Parse.email)
    var email: EmailAddress
    @Option(help: "Preferred language: pl, pt or it.", transform: Parse.language)
    var language: Language
    @OptionGroup var password: PasswordOptions
    @Flag(help: "Mark the account as behind with payments.")
    var overdue = false

    func validate() throws {
        if !password.passwordStdin && password.password == nil {
            throw ValidationError("Give the password with --password-stdin or --password.")
        }
    }

    func run() throws {
        let secret = try password.read(stdinByDefault: false)
        let database = try options.openEngine()
        let account = Account(
            id: id, displayName: name, email: email, language: language,
            paymentStatus: overdue ? .overdue : .upToDate)
        do {
            try database.createAccount(account, passwordHash: PasswordHasher.hash(secret), now: Date())
        } catch let error as StoreError {
            throw error.explained(account: id)
        }
        print("Created account \(id) (\(name), \(language.rawValue), \(overdue ? "overdue" : "up to date")).")
    }
}

struct SetPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set an account's password (read from standard input unless --password is given).",
        discussion: "Every session of the account ends: it must sign in again.")

    @OptionGroup var options: DatabaseOptions
    @Option(help: "Customer ID of the account.", transform: Parse.customerID)
    var id: CustomerID
    @OptionGroup var password: PasswordOptions

    func run() throws {
        let secret = try password.read(stdinByDefault: true)
        let database = try options.openEngine()
        do {
            try database.setPasswordHash(PasswordHasher.hash(secret), for: id)
        } catch let error as StoreError {
            throw error.explained(account: id)
        }
        print("Password of \(id) changed; its sessions were ended.")
    }
}

struct SetPayment: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Set whether an account is up to date with payments.")

    @OptionGroup var options: DatabaseOptions
    @Option(help: "Customer ID of the account.", transform: Parse.customerID)
    var id: CustomerID
    @Option(help: "up-to-date or overdue.", transform: Parse.paymentStatus)
    var status: PaymentStatus

    func run() throws {
        let database = try options.openEngine()
        do {
            try database.setPaymentStatus(status, for: id)
        } catch let error as StoreError {
            throw error.explained(account: id)
        }
        print("Payment status of \(id): \(status == .upToDate ? "up to date" : "overdue").")
    }
}

struct AddService: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a service with its three contacts.")

    @OptionGroup var options: DatabaseOptions
    @Option(help: "Service name, e.g. example.pl or vps-1a2b3c.vps.example.", transform: Parse.serviceName)
    var name: String
    @Option(help: "domain, hosting, vps, dedicated, email or database.", transform: Parse.serviceType)
    var type: ServiceType
    @Option(help: "Customer ID of the administrative contact.", transform: Parse.customerID)
    var admin: CustomerID
    @Option(help: "Customer ID of the technical contact.", transform: Parse.customerID)
    var tech: CustomerID
    @Option(help: "Customer ID of the billing contact.", transform: Parse.customerID)
    var billing: CustomerID
    @OptionGroup(title: "Owner (optional; set-owner sets it later)") var owner: OwnerOptions

    func run() throws {
        let ownerDetails = owner.isEmpty ? nil : try owner.details()
        let database = try options.openEngine()
        let missing = try [admin, tech, billing].filter { try database.account($0) == nil }
        guard missing.isEmpty else {
            let list = Set(missing).map(\.rawValue).sorted()
            throw OperatorError(list.count == 1
                ? "no account \(list[0]) exists; create it first with add-account."
                : "no accounts \(list.joined(separator: ", ")) exist; create them first with add-account.")
        }
        let id: Int64
        do {
            id = try database.addService(
                name: name, type: type, administrative: admin, technical: tech, billing: billing)
        } catch let error as StoreError {
            throw error.explained()
        }
        print("Created service \(id): \(name) (\(type.rawValue)); admin \(admin), tech \(tech), billing \(billing).")
        if let ownerDetails {
            try database.setOwner(ownerDetails, ofService: id, now: Date())
            print("Owner: \(describe(ownerDetails)).")
        }
    }
}
