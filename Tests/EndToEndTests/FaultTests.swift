import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Faults under the real contacts-fcgi behind the real nginx: the process killed mid-write,
/// the database read-only, full or locked, many clients racing for one code, clients hanging up,
/// and a short mixed load. Nothing that was acknowledged may be lost; nothing may be a 500.
@Suite(.timeLimit(.minutes(3)))
struct FaultTests {
    static let reseller = "re400004-ovh"
    static var isRoot: Bool { getuid() == 0 }

    /// Whether `chattr +i` works where the servers keep their databases (root with
    /// CAP_LINUX_IMMUTABLE, on a file system with the attribute; not tmpfs, not a plain user).
    static let canMakeImmutable: Bool = probe { directory in
        let file = directory.appendingPathComponent("probe").path
        guard FileManager.default.createFile(atPath: file, contents: Data("x".utf8)) else { return false }
        guard (try? FaultWorld.chattr("+i", [file])) != nil else { return false }
        try? FaultWorld.chattr("-i", [file])
        return true
    }

    /// Whether a tmpfs can be mounted (root with CAP_SYS_ADMIN, not in an unprivileged container).
    static let canMount: Bool = probe { directory in
        guard (try? runTool(URL(fileURLWithPath: "/usr/bin/mount"), ["-t", "tmpfs", "-o", "size=1m", "tmpfs", directory.path],
                            in: URL(fileURLWithPath: "/"))) != nil else { return false }
        _ = try? runTool(URL(fileURLWithPath: "/usr/bin/umount"), [directory.path], in: URL(fileURLWithPath: "/"))
        return true
    }

    private static func probe(_ check: (URL) -> Bool) -> Bool {
        guard isRoot else { return false }
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("sc-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard (try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)) != nil else { return false }
        defer { try? FileManager.default.removeItem(at: directory) }
        return check(directory)
    }

    // MARK: - kill -9 during a stream of writes

    /// With 3 writers, and with 32, whose writes share group commits: the kill lands mid-batch.
    @Test(arguments: [3, 32])
    func killingTheAppDuringWritesLosesNothingAcknowledged(writers count: Int) throws {
        let server = try EndToEndServer()
        let session = try FaultWorld.signedInReseller(server)
        // Within the creation limits: at most 50 requests an hour by one asker, and one account
        // named as the new contact at most 20 times a day.
        let services = try FaultWorld.servicesToChange(server, count: 45)
        try #require(services.count == 45)
        let newContacts = ["pl100001-ovh", "pt200002-ovh", "it300003-ovh"]

        let queue = Mutex(services[...])
        let results = Mutex<[(service: Int, status: Int)]>([])
        let finished = Atomic<Int>(0)
        let acknowledged = Atomic<Int>(0)
        let client = HTTPTestClient(port: server.port)
        let writers = (0..<count).map { _ in
            Thread {
                while let service = queue.withLock({ $0.popFirst() }) {
                    let newContact = newContacts[service % newContacts.count]
                    let status = (try? client.send("POST", "/services/\(service)/edit", headers: session.formHeaders,
                                                   body: Array("csrf=\(session.csrf)&new_tech=\(newContact)".utf8)).status) ?? -1
                    results.withLock { $0.append((service, status)) }
                    if status == 303 { acknowledged.add(1, ordering: .relaxed) }
                    // While the app is down nginx answers 502 at once: that service is tried again
                    // later rather than used up.
                    let attempts = results.withLock { $0.filter { $0.service == service }.count }
                    if status == 502, attempts < 40 {
                        queue.withLock { $0.append(service) }
                        usleep(50_000)
                    } else {
                        finished.add(1, ordering: .relaxed)
                    }
                }
            }
        }
        writers.forEach { $0.start() }

        // Kill once a few writes went through, mid-stream; start it again shortly after.
        let deadline = Date().addingTimeInterval(30)
        while acknowledged.load(ordering: .relaxed) < 15, Date() < deadline { usleep(5_000) }
        let pid = try #require(server.appPID(), "the app's process")
        #expect(kill(pid, SIGKILL) == 0)
        let acknowledgedAtKill = acknowledged.load(ordering: .relaxed)
        usleep(300_000)
        let replacement = try ReplacementApp(server: server)
        defer { replacement.stop() }
        while finished.load(ordering: .relaxed) < services.count, Date() < deadline { usleep(20_000) }

        let all = results.withLock { $0 }
        let statuses = Set(all.map(\.status))
        // A write the kill cut off may have committed before its answer was lost (502): tried
        // again, it finds its own request open (422). Nothing else.
        let retriedAfter502 = Set(all.filter { $0.status == 502 }.map(\.service))
        #expect(statuses.isSubset(of: [303, 502, 422]), "only successes and nginx's 502 while the app was down: \(statuses)")
        #expect(all.filter { $0.status == 422 }.allSatisfy { retriedAfter502.contains($0.service) })
        #expect(acknowledgedAtKill > 0 && acknowledged.load(ordering: .relaxed) > acknowledgedAtKill, "writes before and after the kill")

        #expect(try server.sqlite("PRAGMA integrity_check;") == "ok")
        #expect(try server.sqlite("PRAGMA foreign_key_check;") == "")
        let open = Set(try server.sqlite(
            "SELECT service_id FROM change_request_role WHERE role = 'tech' AND open = 1;"
        ).split(separator: "\n").compactMap { Int($0) })
        for (service, status) in all where status == 303 {
            #expect(open.contains(service), "acknowledged request on service \(service) is in the database")
        }
        // Every stored request has its emails: they were written in the same transaction.
        #expect(try server.sqlite("""
            SELECT count(*) FROM change_request r WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.request_id = r.id);
            """) == "0")
        #expect(try Browser(port: server.port).get("/healthz").status == 200)
    }

    // MARK: - Read-only, full, locked

    @Test(.enabled(if: FaultTests.canMakeImmutable, "needs root and a file system with chattr +i"))
    func aReadOnlyDatabaseGetsThe503PageAndRecovers() throws {
        let server = try EndToEndServer()
        let world = try FaultWorld(server: server, language: "pt")
        let files: [String] = [server.databasePath, server.databasePath + "-wal"].filter { FileManager.default.fileExists(atPath: $0) }
        try FaultWorld.chattr("+i", files)
        var immutable = true
        defer { if immutable { try? FaultWorld.chattr("-i", files) } }

        try world.expectUnavailableWritesThenRecovery {
            try FaultWorld.chattr("-i", files)
            immutable = false
        }
    }

    @Test(.enabled(if: FaultTests.canMount, "needs root allowed to mount a tmpfs"))
    func aFullDiskGetsThe503PageAndRecovers() throws {
        let server = try EndToEndServer()
        let mountPoint = server.directory.appendingPathComponent("small-disk")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        do {
            try runTool(URL(fileURLWithPath: "/usr/bin/mount"), ["-t", "tmpfs", "-o", "size=8m,mode=0755", "tmpfs", mountPoint.path],
                        in: server.directory)
        } catch {
            Issue.record("cannot mount a tmpfs as root: \(error)")
            return
        }
        defer { _ = try? runTool(URL(fileURLWithPath: "/usr/bin/umount"), ["-l", mountPoint.path], in: server.directory) }

        // The app on a copy of the database that lives on the small disk.
        server.stopApp()
        let database = mountPoint.appendingPathComponent("contacts.sqlite").path
        try FileManager.default.copyItem(atPath: server.databasePath, toPath: database)
        let replacement = try ReplacementApp(server: server, databasePath: database)
        defer { replacement.stop() }
        let world = try FaultWorld(server: server, language: "it", databasePath: database)

        // Fill what is left of the disk.
        let filler = mountPoint.appendingPathComponent("filler")
        _ = try? runTool(URL(fileURLWithPath: "/usr/bin/dd"), ["if=/dev/zero", "of=\(filler.path)", "bs=64k"], in: server.directory)
        try world.expectUnavailableWritesThenRecovery {
            try FileManager.default.removeItem(at: filler)
        }
        #expect(try server.sqlite("PRAGMA integrity_check;", database: database) == "ok")
    }

    @Test func aDatabaseLockedByAnotherWriterGetsThe503PageAndRecovers() throws {
        let server = try EndToEndServer()
        let world = try FaultWorld(server: server, language: "pl")
        let locker = Process()
        locker.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        locker.arguments = [server.databasePath]
        let input = Pipe()
        locker.standardInput = input
        locker.standardOutput = FileHandle.nullDevice
        locker.standardError = FileHandle.nullDevice
        try locker.run()
        defer { if locker.isRunning { kill(locker.processIdentifier, SIGKILL); locker.waitUntilExit() } }
        // Waiting for the lock (.timeout): the checks below take it for an instant themselves.
        input.fileHandleForWriting.write(Data(".timeout 5000\nBEGIN EXCLUSIVE;\nSELECT 1;\n".utf8))
        // Until the other writer holds its lock, a write could still get through.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? server.sqlite("PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; ROLLBACK;")) == nil { break }
            usleep(50_000)
        }

        try world.expectUnavailableWritesThenRecovery(writes: 1) {
            input.fileHandleForWriting.write(Data("ROLLBACK;\n.quit\n".utf8))
            try? input.fileHandleForWriting.close()
            locker.waitUntilExit()
        }
    }

    // MARK: - One code, many clients

    @Test func concurrentAcceptsOfOneCodeHaveExactlyOneEffect() throws {
        let server = try EndToEndServer()
        let browsers = try (0..<4).map { _ in try FaultWorld.signedInReseller(server) }
        let service = try #require(try FaultWorld.servicesToChange(server, count: 1).first)
        let oldTech = try server.sqlite("SELECT tech_id FROM service WHERE id = \(service);")
        let asked = try HTTPTestClient(port: server.port).send(
            "POST", "/services/\(service)/edit", headers: browsers[0].formHeaders,
            body: Array("csrf=\(browsers[0].csrf)&take_tech=1".utf8))
        try #require(asked.status == 303)
        let emails = try Mailbox(server: server).deliver()
        let base = "http://127.0.0.1:\(server.port)"
        let link = try #require(emails.flatMap(\.links).compactMap { CodeLink($0, base: base) }.first)
        let outboxBefore = try server.sqlite("SELECT coalesce(max(id), 0) FROM outbox;")

        let statuses = Mutex<[Int]>([])
        let start = Atomic<Bool>(false)
        let client = HTTPTestClient(port: server.port)
        let threads = (0..<12).map { index in
            Thread {
                let session = browsers[index % browsers.count]
                while !start.load(ordering: .acquiring) { sched_yield() }
                let status = (try? client.send("POST", "/requests/\(link.requestID)/accept", headers: session.formHeaders,
                                               body: Array("csrf=\(session.csrf)&code=\(link.code)".utf8)).status) ?? -1
                statuses.withLock { $0.append(status) }
            }
        }
        threads.forEach { $0.start() }
        start.store(true, ordering: .releasing)
        let deadline = Date().addingTimeInterval(60)
        while statuses.withLock({ $0.count }) < 12, Date() < deadline { usleep(10_000) }

        let all = statuses.withLock { $0 }
        #expect(all.filter { $0 == 303 }.count == 1, "\(all)")
        #expect(all.filter { $0 != 303 }.allSatisfy { $0 == 409 }, "\(all)")
        let id = link.requestID
        #expect(try server.sqlite("SELECT state FROM change_request WHERE id = \(id);") == "done")
        #expect(try server.sqlite("SELECT count(*) FROM request_event WHERE request_id = \(id) AND kind = 'accepted';") == "1")
        #expect(try server.sqlite("SELECT count(*) FROM request_event WHERE request_id = \(id) AND kind = 'done';") == "1")
        #expect(try server.sqlite("SELECT tech_id FROM service WHERE id = \(service);") == Self.reseller)
        #expect(oldTech != Self.reseller)
        // The completion emails were queued once: one per participant.
        let completion = try server.sqlite(
            "SELECT count(*) || ' ' || count(DISTINCT recipient) FROM outbox WHERE request_id = \(id) AND id > \(outboxBefore);")
        let parts = completion.split(separator: " ")
        #expect(parts.count == 2 && parts[0] == parts[1] && parts[0] != "0", "each participant told once: \(completion)")
    }

    // MARK: - Clients that hang up

    @Test func clientsHangingUpMidResponseDoNotStopTheApp() throws {
        let server = try EndToEndServer()
        let session = try FaultWorld.signedInReseller(server)
        let pid = try #require(server.appPID())
        for round in 0..<20 {
            // A big page, read a little of, then a reset; or a request cut off halfway.
            let request = round % 4 == 3
                ? "POST /profile HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\(session.cookieLine)\r\n\r\ncsrf="
                : "GET /contacts?size=100 HTTP/1.1\r\nHost: 127.0.0.1\r\n\(session.cookieLine)\r\n\r\n"
            try RawHTTP.sendAndHangUp(port: server.port, request: Array(request.utf8), readBytes: round % 4 == 1 ? 512 : 0)
        }
        usleep(300_000)
        #expect(server.appPID() == pid, "the same process still serves")
        let browser = Browser(port: server.port)
        browser.cookies = session.cookies
        for _ in 0..<10 {
            #expect(try browser.get("/contacts?size=100").status == 200)
        }
        #expect(!server.appLogText.contains("critical"), "\(server.appLogText)")
    }

    // MARK: - Load

    @Test func aShortMixedLoadThroughNginxHasNoServerErrors() throws {
        let wrk = URL(fileURLWithPath: "/usr/bin/wrk")
        guard FileManager.default.isExecutableFile(atPath: wrk.path) else {
            Issue.record("wrk is not installed (scripts/setup-debian installs it)")
            return
        }
        let server = try EndToEndServer()
        let session = try FaultWorld.signedInReseller(server)
        let services = try FaultWorld.servicesToChange(server, count: 3)
        let seconds = ProcessInfo.processInfo.environment["SC_LOAD_SECONDS"].flatMap(Int.init) ?? 5
        let script = server.directory.appendingPathComponent("load.lua")
        let cookie = session.cookieLine.dropFirst("Cookie: ".count)
        try """
            local cookie = "\(cookie)"
            local form = { ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded" }
            local reads = { "/contacts", "/contacts?size=100&sort=type", "/contacts?q=hosting&role=admin", "/requests", "/profile",
                            "/services/\(services[0])/edit", "/services/\(services[1])/edit" }
            local n = 0
            request = function()
              n = n + 1
              if n % 5 == 0 then
                return wrk.format("POST", "/profile", form, "csrf=\(session.csrf)&email=reseller%40example.org&language=pl")
              elseif n % 17 == 0 then
                return wrk.format("POST", "/services/\(services[2])/edit", form, "csrf=\(session.csrf)&new_tech=pl100001-ovh")
              elseif n % 7 == 0 then
                return wrk.format("GET", "/sign-in", nil, nil)
              end
              return wrk.format("GET", reads[(n % #reads) + 1], { ["Cookie"] = cookie }, nil)
            end
            """.write(to: script, atomically: true, encoding: .utf8)
        let output = try runTool(wrk, ["-t2", "-c8", "-d\(seconds)s", "--timeout", "10s", "-s", script.path,
                                       "http://127.0.0.1:\(server.port)/"], in: server.directory)
        let log = server.accessLogText()
        let lines = log.split(separator: "\n")
        #expect(lines.count > 50, "wrk ran: \(output)")
        let serverErrors = lines.filter { $0.range(of: #"" 5\d\d "#, options: .regularExpression) != nil }
        #expect(serverErrors.isEmpty, "\(serverErrors.prefix(5))")
        #expect(!output.contains("Socket errors"), "\(output)")
        let appErrors = server.appLogText.split(separator: "\n").filter { $0.contains("error") || $0.contains("critical") }
        #expect(appErrors.isEmpty, "\(appErrors.prefix(5))")
        // The one contact change of the load was made once, however many times it was posted.
        #expect(try server.sqlite("SELECT count(*) FROM change_request_role WHERE service_id = \(services[2]) AND open = 1;") == "1")
    }
}

// MARK: - Helpers

/// A signed-in session as plain values, for threads and for wrk.
struct SignedInSession: Sendable {
    let cookies: [String: String]
    let csrf: String

    var cookieLine: String { "Cookie: " + cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
    var formHeaders: [(String, String)] {
        [("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", String(cookieLine.dropFirst("Cookie: ".count)))]
    }
}

/// One account's profile, written through nginx while a fault is on.
struct FaultWorld {
    let server: EndToEndServer
    let browser: Browser
    let account: TestAccount
    let language: String
    let databasePath: String

    init(server: EndToEndServer, language: String, databasePath: String? = nil) throws {
        self.server = server
        self.language = language
        self.databasePath = databasePath ?? server.databasePath
        account = TestAccount.make("fa\(Int.random(in: 100_000...999_999))-ovh", "Fault Test", language: language)
        try runTool(try EndToEndPaths.binary("contacts-admin"),
                    ["add-account", "--database", self.databasePath, "--id", account.id, "--name", account.name, "--email", account.email,
                     "--language", language, "--password", account.password], in: server.directory)
        browser = Browser(port: server.port)
        try browser.signIn(account)
    }

    /// The account's new address waiting for its link, "" when none: what the profile writes.
    var pendingEmail: String {
        get throws {
            try server.sqlite(
                "SELECT coalesce(max(new_email), '') FROM email_change WHERE account_id = '\(account.id)' AND state = 'pending';",
                database: databasePath)
        }
    }

    /// While the fault is on, writes get the app's localized 503 page and change nothing, reads
    /// still work; once `repair` ran, the same write goes through.
    func expectUnavailableWritesThenRecovery(writes: Int = 2, sourceLocation: SourceLocation = #_sourceLocation, repair: () throws -> Void) throws {
        let before = try pendingEmail
        for attempt in 0..<writes {
            let response = try browser.submit("/profile", from: "/profile", form: [
                ("email", "during-\(attempt)@example.org"), ("language", language), ("password", account.password),
            ])
            #expect(response.status == 503, "\(response.status): \(server.appLogText.suffix(600))", sourceLocation: sourceLocation)
            #expect(response.header("Retry-After") != nil, sourceLocation: sourceLocation)
            #expect(response.header("Content-Language") == languageTag(language), sourceLocation: sourceLocation)
            #expect(Page.text(response).contains(try CatalogText.string("error_503", language)), sourceLocation: sourceLocation)
            expectSecurityHeaders(response, sourceLocation: sourceLocation)
        }
        #expect(try browser.get("/contacts").status == 200, "reads still work", sourceLocation: sourceLocation)
        try repair()
        #expect(try pendingEmail == before, "no partial write", sourceLocation: sourceLocation)
        let saved = try browser.submit("/profile", from: "/profile", form: [
            ("email", "after@example.org"), ("language", language), ("password", account.password),
        ])
        #expect(saved.status == 303, "recovered: \(saved.status)", sourceLocation: sourceLocation)
        #expect(try pendingEmail == "after@example.org", sourceLocation: sourceLocation)
    }

    static func signedInReseller(_ server: EndToEndServer) throws -> SignedInSession {
        let browser = Browser(port: server.port)
        let password = try DemoDatabase.demoPassword(for: FaultTests.reseller)
        try browser.signIn(TestAccount(id: FaultTests.reseller, name: "", email: "", language: "pl", password: password))
        let csrf = try #require(Page.csrf(in: try browser.get("/profile")))
        return SignedInSession(cookies: browser.cookies, csrf: csrf)
    }

    /// Services the reseller administers whose technical contact is neither it nor pl100001-ovh,
    /// with no open request.
    static func servicesToChange(_ server: EndToEndServer, count: Int) throws -> [Int] {
        try server.query("""
            SELECT id FROM service WHERE admin_id = '\(FaultTests.reseller)' AND tech_id NOT IN ('\(FaultTests.reseller)', 'pl100001-ovh', 'pt200002-ovh', 'it300003-ovh')
              AND id NOT IN (SELECT service_id FROM change_request_role WHERE open = 1) ORDER BY id LIMIT \(count);
            """).split(separator: "\n").compactMap { Int($0) }
    }

    static func chattr(_ flag: String, _ files: [String]) throws {
        try runTool(URL(fileURLWithPath: "/usr/bin/chattr"), [flag] + files, in: URL(fileURLWithPath: "/"))
    }
}

extension EndToEndServer {
    /// The process id of the contacts-fcgi listening on this server's socket.
    func appPID() -> pid_t? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = pid_t(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard arguments.first?.hasSuffix("contacts-fcgi") == true, arguments.contains(socketPath) else { continue }
            guard let status = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = status.lastIndex(of: ")"), status[status.index(close, offsetBy: 2)] != "Z" else { continue }
            return pid
        }
        return nil
    }

    /// The rows of `sql` on the server's database, whichever the engine, one line per row with
    /// `|` between columns (sqlite3's and psql's unaligned output), trimmed.
    func query(_ sql: String) throws -> String {
        switch engine {
        case .sqlite: return try sqlite(sql)
        case .postgresql:
            return try runTool(URL(fileURLWithPath: "/usr/bin/psql"),
                               ["--no-psqlrc", "--no-align", "--tuples-only", "--set", "ON_ERROR_STOP=1", databaseLocation, "-c", sql],
                               in: directory).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// The output of the sqlite3 command-line shell on the database, trimmed.
    func sqlite(_ sql: String, database: String? = nil) throws -> String {
        try runTool(URL(fileURLWithPath: "/usr/bin/sqlite3"), ["-batch", database ?? databasePath, sql], in: directory)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// contacts-fcgi started by a test on the server's socket, in place of the one the server
/// started: after a kill, or on another database file.
final class ReplacementApp {
    private let process = Process()

    init(server: EndToEndServer, databasePath: String? = nil) throws {
        // As root, nginx's workers may run as www-data (see EndToEndServer): give them the socket.
        let group: String? = Self.isRoot && getgrnam("www-data") != nil ? "www-data" : nil
        unlink(server.socketPath)
        process.executableURL = try EndToEndPaths.binary("contacts-fcgi")
        var arguments = [
            "--socket", server.socketPath, "--database", databasePath ?? server.databasePath,
            "--templates", EndToEndPaths.templates.path, "--public-base-url", "http://127.0.0.1:\(server.port)", "--workers", "4",
        ]
        if let group { arguments += ["--socket-group", group] }
        process.arguments = arguments
        process.currentDirectoryURL = server.directory
        let log = server.directory.appendingPathComponent("contacts-fcgi.log")
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while access(server.socketPath, F_OK) != 0 {
            guard process.isRunning, Date() < deadline else { throw EndToEndError("the replacement contacts-fcgi did not listen") }
            usleep(20_000)
        }
    }

    private static var isRoot: Bool { getuid() == 0 }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
