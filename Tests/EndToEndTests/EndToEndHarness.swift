import Foundation
import Synchronization
import Testing
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
            let signIns = try load(into: database, in: directory)
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

    /// Fills `database` (a SQLite file or a PostgreSQL URL) with the real `contacts-admin`: the
    /// demo data (a 500-service reseller), the ``TestAccount``s and their service. Returns what
    /// `demo-data` printed.
    @discardableResult
    static func load(into database: String, in directory: URL) throws -> String {
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
        return signIns
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

/// Which store the app runs on in a test. PostgreSQL is the cluster named by
/// `CONTACTS_TEST_POSTGRES_URL` (scripts/test starts one): without it the PostgreSQL cases fail
/// under CI and are skipped elsewhere.
enum EndToEndEngine: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgresql

    var testDescription: String { rawValue }

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["CONTACTS_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether a test on this engine can run here; records why not under CI.
    var isAvailable: Bool {
        guard self == .postgresql, Self.postgresURL == nil else { return true }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("CONTACTS_TEST_POSTGRES_URL is not set: scripts/test starts a PostgreSQL cluster")
        }
        return false
    }
}

/// The demo database on PostgreSQL, made once per test run like ``DemoDatabase`` (the same
/// commands on a `postgres://` URL), and copied for every server with `CREATE DATABASE ...
/// TEMPLATE`.
enum PostgresDemoDatabase {
    private static let name = "e2e_demo_\(getpid())"

    private static let made: Result<String, EndToEndError> = {
        do {
            guard let base = EndToEndEngine.postgresURL else { throw EndToEndError("CONTACTS_TEST_POSTGRES_URL is not set") }
            let directory = FileManager.default.temporaryDirectory
            try psql(base, "DROP DATABASE IF EXISTS \(name)", "CREATE DATABASE \(name)")
            try DemoDatabase.load(into: url(base, database: name), in: directory)
            return .success(name)
        } catch let error as EndToEndError {
            return .failure(error)
        } catch {
            return .failure(EndToEndError("\(error)"))
        }
    }()

    /// A new database holding the demo data; its URL.
    static func copy(named copy: String) throws -> String {
        guard let base = EndToEndEngine.postgresURL else { throw EndToEndError("CONTACTS_TEST_POSTGRES_URL is not set") }
        let template = try made.get()
        try psql(base, "CREATE DATABASE \(copy) TEMPLATE \(template)")
        return url(base, database: copy)
    }

    static func drop(_ database: String) {
        guard let base = EndToEndEngine.postgresURL else { return }
        _ = try? psql(base, "DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
    }

    /// `base` with another database name (the URL's path).
    static func url(_ base: String, database: String) -> String {
        guard let slash = base.lastIndex(of: "/") else { return base }
        return base[...slash] + database
    }

    @discardableResult
    static func psql(_ url: String, _ statements: String...) throws -> String {
        try runTool(URL(fileURLWithPath: "/usr/bin/psql"),
                    ["--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", url] + statements.flatMap { ["-c", $0] },
                    in: FileManager.default.temporaryDirectory)
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
/// end of the value) stops both. On PostgreSQL there may be several app hosts: each its own
/// `contacts-fcgi` process on a loopback TCP port, all in nginx's upstream.
final class EndToEndServer: @unchecked Sendable {
    let directory: URL
    let socketPath: String
    let engine: EndToEndEngine
    /// The app hosts' TCP ports when there are several (empty: one host on the unix socket).
    private(set) var hostPorts: [Int] = []
    private(set) var port = 0
    private var apps: [Process?] = []
    private var nginx: Process?
    /// The PostgreSQL database of this server (dropped with it).
    private var postgresDatabase: String?
    private let appLog: URL
    private let exemptFromRateLimits: [String]
    /// More options for contacts-fcgi (such as `--log-format json`).
    private let appArguments: [String]
    /// Hand contacts-fcgi its listening socket on standard input, as systemd does.
    private let socketActivated: Bool

    var accessLog: URL { directory.appendingPathComponent("access.log") }
    var errorLog: URL { directory.appendingPathComponent("error.log") }
    var databasePath: String { directory.appendingPathComponent("contacts.sqlite").path }
    /// What `--database` is: the SQLite file, or the PostgreSQL URL.
    private(set) var databaseLocation: String
    var signIns: String

    /// `exemptFromRateLimits`: client addresses nginx's limit_req and limit_conn leave alone
    /// (nginx.conf's optional exemption file). The functional tests drive the site faster than a
    /// person from 127.0.0.1, so it is exempt by default; the abuse tests exempt nobody.
    init(
        exemptFromRateLimits: [String] = ["127.0.0.1"], appArguments: [String] = [], socketActivated: Bool = false,
        engine: EndToEndEngine = .sqlite, hosts: Int = 1, postgresDatabaseURL: String? = nil
    ) throws {
        precondition(hosts == 1 || engine == .postgresql, "several app hosts share one PostgreSQL")
        self.engine = engine
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
        switch engine {
        case .sqlite:
            databaseLocation = directory.appendingPathComponent("contacts.sqlite").path
            try FileManager.default.copyItem(atPath: demo.path, toPath: databaseLocation)
        case .postgresql:
            if let postgresDatabaseURL {
                // A database the test made itself (on a cluster of its own), used as it is.
                databaseLocation = postgresDatabaseURL
            } else {
                let name = "e2e_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
                databaseLocation = try PostgresDemoDatabase.copy(named: name)
                postgresDatabase = name
            }
        }

        do {
            let workerUser = try Self.nginxWorkerUser(reaching: directory)
            var lastError: Error?
            for _ in 0..<3 {
                do {
                    port = try HTTPTestClient.freePort()
                    hostPorts = hosts > 1 ? try (0..<hosts).map { _ in try HTTPTestClient.freePort() } : []
                    apps = []
                    if hostPorts.isEmpty {
                        try startApp(socketGroup: workerUser?.group)
                    } else {
                        for index in hostPorts.indices { try startApp(socketGroup: nil, host: index) }
                    }
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
            if let postgresDatabase { PostgresDemoDatabase.drop(postgresDatabase) }
            throw error
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
        if let postgresDatabase { PostgresDemoDatabase.drop(postgresDatabase) }
    }

    /// The app's own log (every host's), for failure messages.
    var appLogText: String {
        ([appLog] + hostPorts.indices.map(hostLog)).compactMap { try? String(contentsOf: $0, encoding: .utf8) }.joined(separator: "\n")
    }

    /// The log of app host `index` (several hosts).
    func hostLog(_ index: Int) -> URL { directory.appendingPathComponent("contacts-fcgi-\(index).log") }

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

    /// Starts the app: on the unix socket, or as host `index` on its TCP port.
    private func startApp(socketGroup: String?, host index: Int? = nil) throws {
        let process = Process()
        process.executableURL = try EndToEndPaths.binary("contacts-fcgi")
        var arguments = if let index { ["--listen", "127.0.0.1:\(hostPorts[index])"] }
            else if socketActivated { ["--inherit-socket"] } else { ["--socket", socketPath] }
        arguments += [
            "--database", databaseLocation,
            "--templates", EndToEndPaths.templates.path,
            "--public-base-url", "http://127.0.0.1:\(port)",
            "--workers", "4",
        ]
        if let socketGroup, !socketActivated, index == nil { arguments += ["--socket-group", socketGroup] }
        // Made here, as systemd makes it, with the group nginx's workers need.
        let inherited = socketActivated ? try SocketActivation.listen(at: socketPath, group: socketGroup) : nil
        defer { if let inherited { close(inherited) } }
        process.arguments = arguments + appArguments
        process.currentDirectoryURL = directory
        let logURL = index.map(hostLog) ?? appLog
        if !FileManager.default.fileExists(atPath: logURL.path) { _ = FileManager.default.createFile(atPath: logURL.path, contents: nil) }
        let log = try FileHandle(forWritingTo: logURL)
        try log.seekToEnd()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = inherited.map { FileHandle(fileDescriptor: $0, closeOnDealloc: false) } ?? FileHandle.nullDevice
        try process.run()
        if let index {
            while apps.count <= index { apps.append(nil) }
            apps[index] = process
        } else {
            apps = [process]
        }

        let deadline = Date().addingTimeInterval(30)
        func isListening() -> Bool {
            if let index { return HTTPTestClient.isListening(port: hostPorts[index]) }
            return access(socketPath, F_OK) == 0
        }
        while !isListening() {
            guard process.isRunning else {
                throw EndToEndError("contacts-fcgi exited (\(process.terminationStatus)) before listening:\n\(appLogText)")
            }
            guard Date() < deadline else { throw EndToEndError("contacts-fcgi did not listen within 30 s:\n\(appLogText)") }
            usleep(50_000)
        }
    }

    /// Kills app host `index` at once (SIGKILL), as a host that dies.
    func killHost(_ index: Int) {
        guard index < apps.count, let process = apps[index] else { return }
        apps[index] = nil
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Starts app host `index` again (after ``killHost(_:)``).
    func restartHost(_ index: Int) throws {
        try startApp(socketGroup: nil, host: index)
    }

    /// How long nginx leaves a host that failed alone (the upstream's `fail_timeout`).
    static let hostFailTimeout = 2

    /// The upstream's `server` lines: the unix socket, or every host's port.
    private var upstreamServers: String {
        guard !hostPorts.isEmpty else { return "server unix:\(socketPath);" }
        return hostPorts.map { "server 127.0.0.1:\($0) max_fails=1 fail_timeout=\(Self.hostFailTimeout)s;" }.joined(separator: " ")
    }

    private func startNginx(userDirective: String) throws {
        var config = try String(contentsOf: EndToEndPaths.nginxTemplate, encoding: .utf8)
        for (placeholder, value) in [
            ("@RUNTIME_DIR@", directory.path),
            ("@LISTEN@", "127.0.0.1:\(port)"),
            ("@PUBLIC_ROOT@", EndToEndPaths.publicRoot.path),
            ("@FASTCGI_SERVERS@", upstreamServers),
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

    /// Stops the app (every host) the way an operator does (SIGTERM) and returns the exit
    /// status of the first.
    @discardableResult
    func stopApp() -> Int32? {
        let running = apps.compactMap { $0 }
        apps = []
        return running.map { Self.terminate($0, signal: SIGTERM) }.first ?? nil
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
