import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Several app hosts on one PostgreSQL behind one nginx (each host its own contacts-fcgi
/// process on a loopback TCP port): any host serves any request, a host that dies loses no
/// read and nothing acknowledged, and the database restarting is a localized 503 while it is
/// down, then service again without restarting the app.
@Suite(.timeLimit(.minutes(4)))
struct TwoHostTests {
    @Test func aSessionMadeThroughOneHostIsSignedInOnTheOther() throws {
        guard EndToEndEngine.postgresql.isAvailable else { return }
        let server = try EndToEndServer(engine: .postgresql, hosts: 2)
        let browser = Browser(port: server.port)
        try browser.signIn(TestAccount.ewa)
        // With one host down the other serves the session, whichever host made it; then the
        // other way round.
        for down in [0, 1] {
            server.killHost(down)
            for _ in 0..<4 {
                let page = try browser.get("/contacts")
                #expect(page.status == 200, "host \(down) down: \(page.status)")
                #expect(page.text.contains(TestAccount.ewa.id), "still signed in with host \(down) down")
            }
            try server.restartHost(down)
            // nginx tries a host that failed again after the upstream's fail_timeout.
            usleep(UInt32(EndToEndServer.hostFailTimeout + 2) * 1_000_000)
        }
        for host in 0..<2 {
            let log = (try? String(contentsOf: server.hostLog(host), encoding: .utf8)) ?? ""
            #expect(log.contains("path=/contacts status=200"), "host \(host) served the session")
        }
    }

    /// 30 s of readers and writers through nginx; host 0 is killed at 10 s and back at 20 s.
    @Test func killingOneHostUnderLoadLosesNoReadAndNoAcknowledgedWrite() throws {
        guard EndToEndEngine.postgresql.isAvailable else { return }
        let server = try EndToEndServer(
            appArguments: ["--request-limits", "100000,100000,100000"], engine: .postgresql, hosts: 2)
        let session = try FaultWorld.signedInReseller(server)
        let services = try FaultWorld.servicesToChange(server, count: 150)
        try #require(services.count == 150)
        let newContacts = ["pl100001-ovh", "pt200002-ovh", "it300003-ovh"]

        let client = HTTPTestClient(port: server.port)
        let started = Date()
        let end = started.addingTimeInterval(30)
        let readStatuses = Mutex<[Int: Int]>([:])
        let writes = Mutex<[(service: Int, status: Int)]>([])
        let queue = Mutex(services[...])
        let readers = (0..<4).map { _ in
            Thread {
                while Date() < end {
                    let status = (try? client.send("GET", "/contacts", headers: session.formHeaders).status) ?? -1
                    readStatuses.withLock { $0[status, default: 0] += 1 }
                }
            }
        }
        let writers = (0..<2).map { _ in
            Thread {
                while Date() < end, let service = queue.withLock({ $0.popFirst() }) {
                    let newContact = newContacts[service % newContacts.count]
                    let status = (try? client.send("POST", "/services/\(service)/edit", headers: session.formHeaders,
                                                   body: Array("csrf=\(session.csrf)&new_tech=\(newContact)".utf8)).status) ?? -1
                    writes.withLock { $0.append((service, status)) }
                    usleep(100_000)
                }
            }
        }
        (readers + writers).forEach { $0.start() }
        Thread.sleep(until: started.addingTimeInterval(10))
        server.killHost(0)
        Thread.sleep(until: started.addingTimeInterval(20))
        try server.restartHost(0)
        Thread.sleep(until: end.addingTimeInterval(2))

        let reads = readStatuses.withLock { $0 }
        #expect(Set(reads.keys) == [200], "every read answered: \(reads)")
        #expect(reads[200, default: 0] > 100)
        let written = writes.withLock { $0 }
        let acknowledged = written.filter { $0.status == 303 }.map(\.service)
        // A POST in flight on the host that died is not sent again (nginx's 502): the only other answer.
        #expect(Set(written.map(\.status)).isSubset(of: [303, 502]), "\(Set(written.map(\.status)))")
        #expect(acknowledged.count > 20, "writes went through before, during and after: \(acknowledged.count)")
        let open = Set(try server.query(
            "SELECT service_id FROM change_request_role WHERE role = 'tech' AND open = 1"
        ).split(separator: "\n").compactMap { Int($0) })
        for service in acknowledged {
            #expect(open.contains(service), "acknowledged request on service \(service) is in the database")
        }
        #expect(try server.query("""
            SELECT count(*) FROM change_request r WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.request_id = r.id)
            """) == "0", "every stored request has its emails")
    }

    /// The database stopped under the app: pages answer the localized 503, and once it is back
    /// the same app serves again.
    @Test func aRestartedDatabaseIsA503WhileDownAndServedAgainAfter() throws {
        guard EndToEndEngine.postgresql.isAvailable else { return }
        // A cluster of its own: stopping the shared one would fail every other test.
        let clusterDirectory = URL(fileURLWithPath: "/tmp").appendingPathComponent("sc-pg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let script = EndToEndPaths.packageRoot.appendingPathComponent("scripts/postgres-cluster").path
        // Through python's subprocess, which closes every other descriptor: the server it starts
        // would otherwise hold the one Foundation watches for the child's end, and the call
        // would never return.
        func cluster(_ command: String) throws -> String {
            try runTool(URL(fileURLWithPath: "/usr/bin/python3"), [
                "-c", "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)",
                "/bin/bash", script, command, clusterDirectory.path,
            ], in: URL(fileURLWithPath: "/tmp")).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let url = try cluster("start")
        defer { _ = try? cluster("stop") }
        let admin = try EndToEndPaths.binary("contacts-admin")
        let account = TestAccount.ewa
        try runTool(admin, ["add-account", "--database", url, "--id", account.id, "--name", account.name, "--email", account.email,
                            "--language", "it", "--password", account.password], in: URL(fileURLWithPath: "/tmp"))
        let server = try EndToEndServer(engine: .postgresql, postgresDatabaseURL: url)
        // With the database down the session (and the account's language) cannot be read: the
        // page speaks the browser's language.
        let browser = Browser(port: server.port, acceptLanguage: "it-IT,it;q=0.9")
        try browser.signIn(account)
        #expect(try browser.get("/contacts").status == 200)

        _ = try cluster("down")
        for path in ["/contacts", "/profile"] {
            let page = try browser.get(path)
            #expect(page.status == 503, "\(path) while the database is down: \(page.status)")
            #expect(page.header("Retry-After") != nil)
            #expect(page.header("Content-Language") == "it")
            #expect(Page.text(page).contains(try CatalogText.string("error_503", "it")))
        }

        _ = try cluster("up")
        let page = try browser.get("/contacts")
        #expect(page.status == 200, "served again without restarting the app: \(page.status)")
        #expect(page.text.contains(account.id), "the session survived the restart")
    }
}
