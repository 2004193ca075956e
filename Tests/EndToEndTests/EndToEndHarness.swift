import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where things are: the package root (from this file's path), the built binaries
/// (`SC_BIN_DIR`, or `.build/debug` after `swift build`) and nginx.
enum EndToEndPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binDirectory: URL {
        if let configured = ProcessInfo.processInfo.environment["SC_BIN_DIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        return packageRoot.appendingPathComponent(".build/debug")
    }

    static var publicRoot: URL { packageRoot.appendingPathComponent("public") }
    static var templates: URL { packageRoot.appendingPathComponent("Templates") }
    static var nginxTemplate: URL { packageRoot.appendingPathComponent("nginx.conf") }

    static func binary(_ name: String) throws -> URL {
        let url = binDirectory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw EndToEndError("\(url.path) is missing: run `swift build` first (or set SC_BIN_DIR)")
        }
        return url
    }

    /// nginx is required: a machine without it fails these tests (scripts/setup-debian installs it).
    static func nginx() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin"] {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent("nginx")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw EndToEndError("nginx is not installed: run scripts/setup-debian")
    }
}

struct EndToEndError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to the end; its output goes to files, so a chatty tool cannot block on a pipe.
@discardableResult
func runTool(_ executable: URL, _ arguments: [String], in directory: URL) throws -> String {
    let output = directory.appendingPathComponent("tool-\(UUID().uuidString).out")
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    let handle = try FileHandle(forWritingTo: output)
    defer {
        try? handle.close()
        try? FileManager.default.removeItem(at: output)
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.standardOutput = handle
    process.standardError = handle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    guard process.terminationReason == .exit, process.terminationStatus == 0 else {
        throw EndToEndError("\(executable.lastPathComponent) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)):\n\(text)")
    }
    return text
}

/// The demo database, made once per test run with the real `contacts-admin` and copied for
/// every server, so that each test starts from the same known data.
enum DemoDatabase {
    struct Made: Sendable {
        let path: String
        /// What `demo-data` printed: the demo sign-ins.
        let signIns: String
    }

    private static let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("sc-e2e-db-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")

    private static let made: Result<Made, EndToEndError> = {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            atexit { try? FileManager.default.removeItem(at: DemoDatabase.directory) }
            let database = directory.appendingPathComponent("contacts.sqlite").path
            let admin = try EndToEndPaths.binary("contacts-admin")
            try runTool(admin, ["migrate", "--database", database], in: directory)
            let signIns = try runTool(admin, ["demo-data", "--database", database, "--big-account-services", "500"], in: directory)
            for account in TestAccount.all {
                try runTool(admin, ["add-account", "--database", database, "--id", account.id, "--name", account.name,
                                    "--email", account.email, "--language", account.language, "--password", account.password],
                            in: directory)
            }
            try runTool(admin, ["add-service", "--database", database, "--name", TestAccount.serviceName, "--type", "domain",
                                "--admin", TestAccount.ewa.id, "--tech", TestAccount.enzo.id, "--billing", TestAccount.ewa.id],
                        in: directory)
            return .success(Made(path: database, signIns: signIns))
        } catch let error as EndToEndError {
            return .failure(error)
        } catch {
            return .failure(EndToEndError("\(error)"))
        }
    }()

    static func get() throws -> Made {
        try made.get()
    }

    /// The password `demo-data` printed for a demo account.
    static func demoPassword(for id: String) throws -> String {
        for line in try get().signIns.split(separator: "\n") {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true)
            if cells.count >= 2, cells[0] == id { return String(cells[1]) }
        }
        throw EndToEndError("demo-data printed no sign-in for \(id)")
    }
}

/// Accounts the end-to-end tests add with `contacts-admin add-account`, so that the flows do not
/// depend on the demo data's details.
struct TestAccount: Sendable {
    let id: String
    let name: String
    let email: String
    let language: String
    let password: String

    static let ewa = TestAccount(id: "ee900001-ovh", name: "Ewa Testowa", email: "ewa@example.org",
                                 language: "pt", password: "e2e-Secret-900001")
    static let enzo = TestAccount(id: "ee900002-ovh", name: "Enzo Prova", email: "enzo@example.org",
                                  language: "it", password: "e2e-Secret-900002")
    static let all = [ewa, enzo]
    /// Ewa is its administrative and billing contact, Enzo its technical one.
    static let serviceName = "e2e-flow.pl"
}

/// The real thing on loopback: `contacts-fcgi` on a unix socket in a fresh temporary directory
/// and nginx, configured from the repository's nginx.conf, on a free port. `stop()` (or the
/// end of the value) stops both.
final class EndToEndServer: @unchecked Sendable {
    let directory: URL
    let socketPath: String
    private(set) var port = 0
    private var app: Process?
    private var nginx: Process?
    private let appLog: URL
    private let exemptFromRateLimits: [String]
    /// More options for contacts-fcgi (such as `--log-format json`).
    private let appArguments: [String]
    /// Hand contacts-fcgi its listening socket on standard input, as systemd does.
    private let socketActivated: Bool

    var accessLog: URL { directory.appendingPathComponent("access.log") }
    var errorLog: URL { directory.appendingPathComponent("error.log") }
    var databasePath: String { directory.appendingPathComponent("contacts.sqlite").path }
    var signIns: String

    /// `exemptFromRateLimits`: client addresses nginx's limit_req and limit_conn leave alone
    /// (nginx.conf's optional exemption file). The functional tests drive the site faster than a
    /// person from 127.0.0.1, so it is exempt by default; the abuse tests exempt nobody.
    init(exemptFromRateLimits: [String] = ["127.0.0.1"], appArguments: [String] = [], socketActivated: Bool = false) throws {
        self.exemptFromRateLimits = exemptFromRateLimits
        self.appArguments = appArguments
        self.socketActivated = socketActivated
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("sc-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // nginx's workers may run as another user (see nginxUser): let them reach the socket
        // and the temporary directories nginx makes here.
        chmod(directory.path, 0o755)
        socketPath = directory.appendingPathComponent("app.sock").path
        appLog = directory.appendingPathComponent("contacts-fcgi.log")

        let demo = try DemoDatabase.get()
        signIns = demo.signIns
        try FileManager.default.copyItem(atPath: demo.path, toPath: databasePath)

        do {
            let workerUser = try Self.nginxWorkerUser(reaching: directory)
            var lastError: Error?
            for _ in 0..<3 {
                do {
                    port = try HTTPTestClient.freePort()
                    try startApp(socketGroup: workerUser?.group)
                    try startNginx(userDirective: workerUser.map { "user \($0.user) \($0.group);" } ?? "")
                    return
                } catch {
                    lastError = error
                    stop()
                }
            }
            throw lastError ?? EndToEndError("could not start")
        } catch {
            stop()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The app's own log, for failure messages.
    var appLogText: String { (try? String(contentsOf: appLog, encoding: .utf8)) ?? "" }

    func accessLogText() -> String { (try? String(contentsOf: accessLog, encoding: .utf8)) ?? "" }

    /// The access log once it has at least `lines` lines: nginx writes a line when it is done
    /// with a request, which can be a moment after the client has its answer.
    func accessLogText(lines: Int) -> String {
        let deadline = Date().addingTimeInterval(5)
        var text = accessLogText()
        while text.split(separator: "\n").count < lines, Date() < deadline {
            usleep(20_000)
            text = accessLogText()
        }
        return text
    }

    func errorLogText() -> String { (try? String(contentsOf: errorLog, encoding: .utf8)) ?? "" }

    // MARK: - Starting and stopping

    private func startApp(socketGroup: String?) throws {
        let process = Process()
        process.executableURL = try EndToEndPaths.binary("contacts-fcgi")
        var arguments = socketActivated ? ["--inherit-socket"] : ["--socket", socketPath]
        arguments += [
            "--database", databasePath,
            "--templates", EndToEndPaths.templates.path,
            "--public-base-url", "http://127.0.0.1:\(port)",
            "--workers", "4",
        ]
        if let socketGroup, !socketActivated { arguments += ["--socket-group", socketGroup] }
        // Made here, as systemd makes it, with the group nginx's workers need.
        let inherited = socketActivated ? try SocketActivation.listen(at: socketPath, group: socketGroup) : nil
        defer { if let inherited { close(inherited) } }
        process.arguments = arguments + appArguments
        process.currentDirectoryURL = directory
        _ = FileManager.default.createFile(atPath: appLog.path, contents: nil)
        let log = try FileHandle(forWritingTo: appLog)
        try log.seekToEnd()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = inherited.map { FileHandle(fileDescriptor: $0, closeOnDealloc: false) } ?? FileHandle.nullDevice
        try process.run()
        app = process

        let deadline = Date().addingTimeInterval(30)
        while access(socketPath, F_OK) != 0 {
            guard process.isRunning else {
                throw EndToEndError("contacts-fcgi exited (\(process.terminationStatus)) before listening:\n\(appLogText)")
            }
            guard Date() < deadline else { throw EndToEndError("contacts-fcgi did not listen within 30 s:\n\(appLogText)") }
            usleep(50_000)
        }
    }

    private func startNginx(userDirective: String) throws {
        var config = try String(contentsOf: EndToEndPaths.nginxTemplate, encoding: .utf8)
        for (placeholder, value) in [
            ("@RUNTIME_DIR@", directory.path),
            ("@LISTEN@", "127.0.0.1:\(port)"),
            ("@PUBLIC_ROOT@", EndToEndPaths.publicRoot.path),
            ("@FASTCGI_SOCKET@", socketPath),
            ("@USER_DIRECTIVE@", userDirective),
        ] {
            config = config.replacingOccurrences(of: placeholder, with: value)
        }
        if let unknown = config.range(of: "@[A-Z_]+@", options: .regularExpression) {
            throw EndToEndError("nginx.conf has a placeholder the tests do not fill in: \(config[unknown])")
        }
        let configPath = directory.appendingPathComponent("nginx.conf").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let exemptions = exemptFromRateLimits.map { "\($0) \"\";\n" }.joined()
        try exemptions.write(toFile: directory.appendingPathComponent("rate-limit-exempt.conf").path, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = try EndToEndPaths.nginx()
        process.arguments = ["-p", directory.path, "-e", errorLog.path, "-c", configPath, "-g", "daemon off;"]
        process.currentDirectoryURL = directory
        let log = directory.appendingPathComponent("nginx-stderr.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        nginx = process

        let deadline = Date().addingTimeInterval(15)
        while !HTTPTestClient.isListening(port: port) {
            guard process.isRunning else {
                let stderr = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw EndToEndError("nginx exited before listening on \(port):\n\(stderr)\n\(errorLogText())")
            }
            guard Date() < deadline else { throw EndToEndError("nginx did not listen on \(port) within 15 s") }
            usleep(50_000)
        }
    }

    /// Stops the app the way an operator does (SIGTERM) and returns its exit status.
    @discardableResult
    func stopApp() -> Int32? {
        guard let app else { return nil }
        self.app = nil
        return Self.terminate(app, signal: SIGTERM)
    }

    func stop() {
        if let nginx {
            self.nginx = nil
            Self.terminate(nginx, signal: SIGQUIT)
        }
        stopApp()
    }

    /// Sends the signal, waits up to 15 s, then kills. Returns the exit status, or nil if the
    /// process had to be killed or died of a signal.
    @discardableResult
    private static func terminate(_ process: Process, signal: Int32) -> Int32? {
        guard process.isRunning else {
            return process.terminationReason == .exit ? process.terminationStatus : nil
        }
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationReason == .exit ? process.terminationStatus : nil
    }

    /// As root, nginx's workers run as www-data, as on a server, when www-data can read
    /// public/ and reach the runtime directory; the socket then gets group www-data. Otherwise
    /// (or as a normal user) the workers keep the user who starts nginx.
    private static func nginxWorkerUser(reaching directory: URL) throws -> (user: String, group: String)? {
        guard getuid() == 0 else { return nil }
        guard getpwnam("www-data") != nil else { return ("root", "root") }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        check.arguments = ["-u", "www-data", "--", "test",
                           "-r", EndToEndPaths.publicRoot.path, "-a", "-x", EndToEndPaths.publicRoot.path,
                           "-a", "-x", directory.path]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { return ("root", "root") }
        check.waitUntilExit()
        return check.terminationStatus == 0 ? ("www-data", "www-data") : ("root", "root")
    }
}
