import Foundation
import Testing

/// The systemd units in deploy/: valid for systemd, and naming only options the binaries take.
@Suite(.timeLimit(.minutes(2)))
struct DeployUnitTests {
    static var deploy: URL { EndToEndPaths.packageRoot.appendingPathComponent("deploy") }
    static let installedBin = "/opt/contacts/bin/"

    static func unitFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: deploy, includingPropertiesForKeys: nil)
            .filter { ["service", "socket", "timer"].contains($0.pathExtension) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func systemdAnalyze() -> URL? {
        for directory in ["/usr/bin", "/bin", "/usr/local/bin"] {
            let url = URL(fileURLWithPath: directory).appendingPathComponent("systemd-analyze")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// Runs to the end; exit status and standard output and error together.
    static func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let directory = try OperatorBinaryTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        return try OperatorBinaryTests.runProcess(executable, arguments, in: directory)
    }

    /// Every ExecStart= and ExecStartPre= line of the service units, as words (no quoting
    /// inside these units but "${VAR}", which stays one word).
    static func commands() throws -> [(unit: String, words: [String])] {
        var commands: [(String, [String])] = []
        for file in try unitFiles() where file.pathExtension == "service" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("ExecStart=") || line.hasPrefix("ExecStartPre=") {
                let command = line.split(separator: "=", maxSplits: 1)[1]
                commands.append((file.lastPathComponent, command.split(separator: " ").map(String.init)))
            }
        }
        return commands
    }

    @Test func theUnitsAreValidForSystemd() throws {
        guard let analyze = Self.systemdAnalyze() else {
            // Debian's systemd package provides it; the suite does not install it.
            print("skipped: systemd-analyze is not installed, the units in deploy/ were not verified")
            return
        }
        let directory = try OperatorBinaryTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // verify also checks that every ExecStart binary exists: point them at the built ones.
        let bin = try EndToEndPaths.binary("contacts-admin").deletingLastPathComponent().path + "/"
        var copies: [String] = []
        for file in try Self.unitFiles() {
            let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: Self.installedBin, with: bin)
            let copy = directory.appendingPathComponent(file.lastPathComponent)
            try text.write(to: copy, atomically: true, encoding: .utf8)
            copies.append(copy.path)
        }
        #expect(copies.count >= 7)
        let result = try Self.run(analyze, ["verify"] + copies)
        #expect(result.status == 0, "\(result.output)")
        // Unknown keys are only warnings for systemd; here they are failures.
        let complaints = result.output.split(separator: "\n").filter { line in
            line.contains(directory.path) || line.contains("Unknown") || line.contains("nvalid")
        }
        #expect(complaints.isEmpty, "\(result.output)")
    }

    @Test func theUnitsNameOnlyOptionsTheBinariesAccept() throws {
        let commands = try Self.commands()
        #expect(commands.count >= 5)
        var helps: [String: String] = [:]
        for (unit, words) in commands {
            let program = try #require(words.first)
            #expect(program.hasPrefix(Self.installedBin), "\(unit): \(program)")
            let name = String(program.dropFirst(Self.installedBin.count))
            let binary = try EndToEndPaths.binary(name)
            var arguments = Array(words.dropFirst())
            var helpArguments = ["--help"]
            if name == "contacts-admin" {
                let subcommand = try #require(arguments.first)
                arguments.removeFirst()
                helpArguments = [subcommand, "--help"]
            }
            let key = helpArguments.joined(separator: " ")
            if helps[key] == nil {
                let help = try Self.run(binary, helpArguments)
                #expect(help.status == 0, "\(name) \(key): \(help.output)")
                helps[key] = help.output
            }
            let help = helps[key] ?? ""
            for option in arguments where option.hasPrefix("--") {
                // The whole option, not a prefix of a longer one.
                let named = [" ", "\n", ","].contains { help.contains(option + $0) }
                #expect(named, "\(unit): \(name) \(helpArguments.first ?? "") does not take \(option)")
            }
        }
    }

    @Test func theEnvironmentFileNamesOnlyVariablesSomethingReads() throws {
        let env = try String(contentsOf: Self.deploy.appendingPathComponent("contacts.env"), encoding: .utf8)
        let names = env.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .map { $0.hasPrefix("#") ? String($0.dropFirst()) : $0 }
            .compactMap { line -> String? in
                guard line.hasPrefix("CONTACTS_"), let equals = line.firstIndex(of: "=") else { return nil }
                return String(line[..<equals])
            }
        #expect(names.count >= 3)
        let fcgiHelp = try Self.run(try EndToEndPaths.binary("contacts-fcgi"), ["--help"]).output
        let mailHelp = try Self.run(try EndToEndPaths.binary("contacts-admin"), ["deliver-mail", "--help"]).output
        let units = try Self.unitFiles().map { try String(contentsOf: $0, encoding: .utf8) }.joined()
        for name in names {
            #expect(fcgiHelp.contains(name) || mailHelp.contains(name) || units.contains("${\(name)}"),
                    "\(name) in contacts.env is read by nothing")
        }
    }

    /// The example settings file: every name known and every value of the right kind, for both
    /// programs (only the database is moved to a temporary directory).
    @Test func theExampleConfigurationFileIsAcceptedByBothPrograms() throws {
        let config = Self.deploy.appendingPathComponent("contacts.json").path
        let directory = try OperatorBinaryTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("contacts.sqlite").path
        let admin = try EndToEndPaths.binary("contacts-admin")
        let migrated = try Self.run(admin, ["migrate", "--config", config, "--database", database])
        #expect(migrated.status == 0, "\(migrated.output)")
        let delivered = try Self.run(admin, ["deliver-mail", "--config", config, "--database", database])
        #expect(delivered.status == 0 && delivered.output.contains("through /usr/bin/msmtp"), "\(delivered.output)")
        // Everything checked up to the database, which is elsewhere here: it stops there.
        let missing = directory.appendingPathComponent("absent.sqlite").path
        let fcgi = try Self.run(try EndToEndPaths.binary("contacts-fcgi"), ["--config", config, "--inherit-socket", "--database", missing])
        #expect(fcgi.status != 0 && fcgi.output.contains("no database at \(missing)"), "\(fcgi.output)")
    }

    @Test func theServerTakesItsSocketOnStandardInputAsSystemdHandsIt() throws {
        let text = try String(contentsOf: Self.deploy.appendingPathComponent("contacts-fcgi.service"), encoding: .utf8)
        #expect(text.contains("StandardInput=socket"))
        #expect(text.contains("--inherit-socket"))
        // With StandardInput=socket, standard output would default to the socket too.
        #expect(text.contains("StandardOutput=journal"))
        let socket = try String(contentsOf: Self.deploy.appendingPathComponent("contacts-fcgi.socket"), encoding: .utf8)
        #expect(socket.contains("Accept=no"))
        for file in try Self.unitFiles() where file.pathExtension == "service" {
            let unit = try String(contentsOf: file, encoding: .utf8)
            for setting in ["User=contacts", "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "StateDirectory=contacts"] {
                #expect(unit.contains(setting), "\(file.lastPathComponent) lacks \(setting)")
            }
        }
    }
}
