import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Both executables read one JSON configuration file; the environment wins over it and the
/// command line over both.
@Suite(.timeLimit(.minutes(2)))
struct ConfigurationFileTests {
    /// Runs `name` in `directory` with `environment` added to this process's own.
    static func run(_ name: String, _ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws
        -> (status: Int32, output: String)
    {
        let process = Process()
        process.executableURL = try EndToEndPaths.binary(name)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CONTACTS_") }
            .merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Starts contacts-fcgi, waits for its socket, returns the socket's mode, and stops it.
    static func socketMode(_ arguments: [String], socket: String, in directory: URL, environment: [String: String] = [:]) throws -> mode_t? {
        try? FileManager.default.removeItem(atPath: socket)
        let process = Process()
        process.executableURL = try EndToEndPaths.binary("contacts-fcgi")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CONTACTS_") }
            .merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(30)
        while access(socket, F_OK) != 0, process.isRunning, Date() < deadline { usleep(50_000) }
        guard access(socket, F_OK) == 0 else { return nil }
        return OperatorBinaryTests.mode(socket)
    }

    static func write(_ settings: [String: Any], to url: URL) throws {
        try JSONSerialization.data(withJSONObject: settings, options: [.prettyPrinted]).write(to: url)
    }

    @Test func theServerStartsFromTheFileAndTheEnvironmentAndCommandLineWinOverIt() throws {
        let directory = try OperatorBinaryTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("state/contacts.sqlite").path
        let socket = directory.appendingPathComponent("app.sock").path
        let config = directory.appendingPathComponent("contacts.json")
        try Self.write([
            "database": database, "socket": socket, "socket-mode": "0600",
            "templates": EndToEndPaths.templates.path, "workers": 1,
        ], to: config)

        // contacts-admin reads the same file: it creates the database the server then opens.
        let migrated = try Self.run("contacts-admin", ["migrate", "--config", config.path], in: directory)
        #expect(migrated.status == 0, "\(migrated.output)")
        #expect(FileManager.default.fileExists(atPath: database), "\(migrated.output)")

        #expect(try Self.socketMode(["--config", config.path], socket: socket, in: directory) == 0o600)
        #expect(try Self.socketMode(
            [], socket: socket, in: directory,
            environment: ["CONTACTS_CONFIG": config.path, "CONTACTS_SOCKET_MODE": "0640"]) == 0o640)
        #expect(try Self.socketMode(
            ["--config", config.path, "--socket-mode", "0660"], socket: socket, in: directory,
            environment: ["CONTACTS_SOCKET_MODE": "0640"]) == 0o660)
    }

    @Test func aMisspeltSettingOrAWrongValueStopsTheStartWithItsName() throws {
        let directory = try OperatorBinaryTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("contacts.json")
        try Self.write(["socket": directory.appendingPathComponent("app.sock").path, "wokers": 4], to: config)
        let misspelt = try Self.run("contacts-fcgi", ["--config", config.path], in: directory)
        #expect(misspelt.status != 0)
        #expect(misspelt.output.contains("unknown setting 'wokers'"), "\(misspelt.output)")
        let admin = try Self.run("contacts-admin", ["migrate", "--config", config.path], in: directory)
        #expect(admin.status != 0 && admin.output.contains("unknown setting 'wokers'"), "\(admin.output)")

        try Self.write(["socket": directory.appendingPathComponent("app.sock").path, "workers": "four"], to: config)
        let wrong = try Self.run("contacts-fcgi", ["--config", config.path], in: directory)
        #expect(wrong.status != 0)
        #expect(wrong.output.contains("workers (from the configuration file"), "\(wrong.output)")
        #expect(access(directory.appendingPathComponent("app.sock").path, F_OK) != 0, "it never listened")
    }

    @Test func deliverMailTakesItsSettingsFromTheMailSection() throws {
        let directory = try OperatorBinaryTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("contacts.json")
        let mail = directory.appendingPathComponent("outgoing").path
        try Self.write([
            "database": directory.appendingPathComponent("contacts.sqlite").path,
            "mail": ["directory": mail, "from": "no-reply@example.pl", "batch-size": 5],
        ], to: config)
        let delivered = try Self.run("contacts-admin", ["deliver-mail", "--config", config.path], in: directory)
        #expect(delivered.status == 0, "\(delivered.output)")
        #expect(delivered.output.contains("as .eml files in \(mail)"), "\(delivered.output)")

        // The environment overrides the file: a From address that is not one is refused.
        let refused = try Self.run(
            "contacts-admin", ["deliver-mail", "--config", config.path], in: directory,
            environment: ["CONTACTS_MAIL_FROM": "not an address"])
        #expect(refused.status != 0 && refused.output.contains("not a usable From address"), "\(refused.output)")
    }
}
