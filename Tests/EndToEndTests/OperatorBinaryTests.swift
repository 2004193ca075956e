import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The two executables as an operator runs them: the files they create, what they refuse.
@Suite(.timeLimit(.minutes(2)))
struct OperatorBinaryTests {
    /// Runs a binary to the end with a permissive umask (as a careless shell would have);
    /// returns its exit status and what it printed.
    static func run(_ name: String, _ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        try runProcess(try EndToEndPaths.binary(name), arguments, in: directory)
    }

    static func runProcess(_ executable: URL, _ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let output = directory.appendingPathComponent("out-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close(); try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        let previous = umask(0o022)
        defer { umask(previous) }
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sc-ops-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o777
    }

    @Test func theDatabaseAndItsWalAndShmAreForTheOwnerOnly() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("db/contacts.sqlite").path
        let migrated = try Self.run("contacts-admin", ["migrate", "--database", database], in: directory)
        #expect(migrated.status == 0, "\(migrated.output)")
        // An account makes sure the write-ahead log and its index exist while we look.
        let added = try Self.run("contacts-admin", [
            "add-account", "--database", database, "--id", "aa123-ovh", "--name", "Anna Nowak",
            "--email", "anna@example.pl", "--language", "pl", "--password", "a-long-password",
        ], in: directory)
        #expect(added.status == 0, "\(added.output)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("db").path)
        #expect(files.contains("contacts.sqlite"))
        for name in files {
            let path = directory.appendingPathComponent("db/\(name)").path
            #expect(Self.mode(path) == 0o600, "\(name) is \(String(Self.mode(path) ?? 0, radix: 8))")
        }
    }

    @Test func theServerCreatesNoFileOthersCanRead() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A database without -wal and -shm yet: contacts-fcgi creates them when it opens it.
        let database = directory.appendingPathComponent("contacts.sqlite").path
        #expect(try Self.run("contacts-admin", ["migrate", "--database", database], in: directory).status == 0)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        chmod(database, 0o600)
        let socket = directory.appendingPathComponent("app.sock").path
        let process = Process()
        process.executableURL = try EndToEndPaths.binary("contacts-fcgi")
        process.arguments = ["--socket", socket, "--database", database, "--templates", EndToEndPaths.templates.path, "--workers", "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let previous = umask(0o022)
        try process.run()
        umask(previous)
        defer {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(30)
        while access(socket, F_OK) != 0, process.isRunning, Date() < deadline { usleep(50_000) }
        try #require(access(socket, F_OK) == 0, "contacts-fcgi did not start")
        #expect(Self.mode(socket) == 0o660, "the socket keeps its configured mode")
        for suffix in ["-wal", "-shm"] where access(database + suffix, F_OK) == 0 {
            #expect(Self.mode(database + suffix) == 0o600, "\(suffix)")
        }
        #expect(access(database + "-wal", F_OK) == 0, "the server opened the database in WAL mode")
    }

    @Test func theDemoMailboxIsRefusedWithSecureCookies() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("contacts.sqlite").path
        #expect(try Self.run("contacts-admin", ["migrate", "--database", database], in: directory).status == 0)
        let refused = try Self.run("contacts-fcgi", [
            "--socket", directory.appendingPathComponent("app.sock").path, "--database", database,
            "--templates", EndToEndPaths.templates.path, "--demo-mailbox", directory.path, "--secure-cookies",
        ], in: directory)
        #expect(refused.status != 0)
        #expect(refused.output.contains("--demo-mailbox") && refused.output.contains("--secure-cookies"), "\(refused.output)")
        #expect(access(directory.appendingPathComponent("app.sock").path, F_OK) != 0, "it never listened")
    }

    @Test(arguments: ["Anna\u{2028}Nowak", "Anna \u{202E}kawoN", "Anna\u{2066}Nowak\u{2069}", "Anna\u{200B}Nowak", "Anna\u{85}Nowak"])
    func contactsAdminRefusesNamesTheMailerCouldNotSend(_ name: String) throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("contacts.sqlite").path
        let account = try Self.run("contacts-admin", [
            "add-account", "--database", database, "--id", "aa123-ovh", "--name", name,
            "--email", "anna@example.pl", "--language", "pl", "--password", "a-long-password",
        ], in: directory)
        #expect(account.status != 0 && account.output.contains("display name"), "\(account.output)")
        let service = try Self.run("contacts-admin", [
            "add-service", "--database", database, "--name", "\(name).pl", "--type", "domain",
            "--admin", "aa123-ovh", "--tech", "aa123-ovh", "--billing", "aa123-ovh",
        ], in: directory)
        #expect(service.status != 0 && service.output.contains("service name"), "\(service.output)")
    }

    @Test func purgeReportsWhatItRemoved() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("contacts.sqlite").path
        #expect(try Self.run("contacts-admin", ["migrate", "--database", database], in: directory).status == 0)
        let purged = try Self.run("contacts-admin", ["purge", "--database", database], in: directory)
        #expect(purged.status == 0)
        #expect(purged.output.contains("Purged 0 expired sessions, 0 old failed sign-ins and 0 old wrong codes."), "\(purged.output)")
    }
}
