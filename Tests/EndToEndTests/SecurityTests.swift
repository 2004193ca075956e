import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The defences of docs/SECURITY.md, checked through the real nginx and contacts-fcgi.
@Suite(.timeLimit(.minutes(3)))
struct SecurityTests {
    /// Every kind of page and error a visitor can get, with the security headers on each, and
    /// no inline script or style that the CSP would have to allow.
    @Test func everyPageAndErrorCarriesTheSecurityHeaders() throws {
        let server = try EndToEndServer()
        let client = HTTPTestClient(port: server.port)
        let ewa = Browser(port: server.port)
        try ewa.signIn(TestAccount.ewa)
        let editURL = try #require(Page.contactsRow(of: TestAccount.serviceName, in: try ewa.get("/contacts?q=e2e-flow"))?.editURL)
        let submitted = try ewa.submit(editURL, from: editURL, form: [("new_tech", TestAccount.ewa.id)])
        #expect(submitted.status == 303)
        let requestLink = try #require(try Mailbox(server: server).deliver().flatMap(\.links)
            .compactMap { CodeLink($0, base: "http://127.0.0.1:\(server.port)") }.first)

        var responses: [(String, ClientResponse)] = [
            ("sign-in", try client.send("GET", "/sign-in")),
            ("root redirect", try client.send("GET", "/")),
            ("contacts", try ewa.get("/contacts")),
            ("profile", try ewa.get("/profile")),
            ("requests", try ewa.get("/requests")),
            ("edit", try ewa.get(editURL)),
            ("edit registered", try ewa.get(try #require(submitted.header("Location")))),
            ("healthz", try client.send("GET", "/healthz")),
            ("400", try ewa.get("/contacts?sort=bogus")),
            ("403", try ewa.post("/profile", form: [("email", "x@example.org"), ("language", "pl")])),
            ("404", try ewa.get("/requests/999999")),
            ("405", try client.send("DELETE", "/profile")),
            ("422", try ewa.submit("/profile", from: "/profile", form: [("email", "nope"), ("language", "pl")])),
            ("413 app", try ewa.submit("/profile", from: "/profile", form: [("email", String(repeating: "a", count: 5000))])),
            ("413 nginx", try client.send("POST", "/sign-in", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                          body: [UInt8](repeating: 0x61, count: 70_000))),
            ("static", try client.send("GET", "/static/app.css")),
        ]
        // 429: a throttled sign-in.
        let victim = Browser(port: server.port)
        var throttled: ClientResponse?
        for _ in 0..<8 {
            let form = try victim.get("/sign-in")
            let response = try victim.post("/sign-in", form: [("csrf", try #require(Page.csrf(in: form))),
                                                              ("customer_id", TestAccount.enzo.id), ("password", "wrong")])
            if response.status == 429 { throttled = response; break }
        }
        responses.append(("429", try #require(throttled, "sign-in is throttled")))

        for (what, response) in responses {
            let csp = response.headerValues("Content-Security-Policy")
            #expect(csp.count == 1, "\(what): one CSP")
            let policy = csp.first ?? ""
            #expect(policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self'")
                    && policy.contains("default-src 'self'") && policy.contains("base-uri 'none'"), "\(what): \(policy)")
            #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"), "\(what)")
            #expect(response.headerValues("X-Content-Type-Options") == ["nosniff"], "\(what)")
            #expect(response.headerValues("X-Frame-Options") == ["DENY"], "\(what)")
            #expect(response.headerValues("Referrer-Policy").count == 1, "\(what)")
            #expect(["same-origin", "no-referrer"].contains(response.header("Referrer-Policy") ?? ""), "\(what)")
            if response.header("Content-Type")?.hasPrefix("text/html") == true {
                let html = response.text
                let scripts = Page.allMatches(#"<script([^>]*)>"#, in: html)
                #expect(scripts.allSatisfy { $0.contains("src=") }, "\(what): no inline script")
                #expect(html.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil, "\(what): no event handler attributes")
                #expect(!html.contains("style=\"") && !html.contains("<style"), "\(what): no inline style")
                #expect(!html.contains("javascript:"), "\(what)")
                if what != "healthz" && what != "413 nginx" {
                    #expect(response.header("Cache-Control") == "no-store", "\(what): \(response.headerValues("Cache-Control"))")
                }
            }
        }
        #expect(responses.contains { $0.1.status == 503 } == false)
        // The request page says no-referrer, once: its address carries a code.
        let requestPage = try ewa.get(requestLink.target)
        #expect(requestPage.headerValues("Referrer-Policy") == ["no-referrer"])
        #expect(requestPage.headerValues("Content-Security-Policy").count == 1)
    }

    @Test func cookieFlags() throws {
        let server = try EndToEndServer()
        let browser = Browser(port: server.port)
        let anonymous = try browser.get("/sign-in")
        let anonymousCookie = try #require(anonymous.headerValues("Set-Cookie").first { $0.hasPrefix("sc_session=") })
        let form = try browser.post("/sign-in", form: [
            ("csrf", try #require(Page.csrf(in: anonymous))), ("customer_id", TestAccount.ewa.id), ("password", TestAccount.ewa.password),
        ])
        let signedIn = try #require(form.headerValues("Set-Cookie").first { $0.hasPrefix("sc_session=") })
        let language = try #require(try browser.get("/language?set=it&back=/").headerValues("Set-Cookie").first { $0.hasPrefix("sc_lang=") })
        for cookie in [anonymousCookie, signedIn, language] {
            let attributes = Set(cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(attributes.contains("HttpOnly") && attributes.contains("SameSite=Lax") && attributes.contains("Path=/"), "\(cookie)")
            #expect(!attributes.contains { $0.lowercased().hasPrefix("domain") }, "host-only: \(cookie)")
        }
        #expect(!signedIn.contains("Max-Age") && !signedIn.contains("Expires"), "the session ends with the browser")
        #expect(language.contains("Max-Age=31536000"))
        // A new secret at sign-in, 256 bits in base64url.
        let value = { (cookie: String) in String(cookie.split(separator: ";")[0].dropFirst("sc_session=".count)) }
        #expect(value(signedIn) != value(anonymousCookie))
        #expect(value(signedIn).count == 43)
    }

    /// A sign-in loop with the right password, from 16 clients at once: a few succeed, the rest
    /// are throttled (or told the server is busy), the account keeps few sessions, and another
    /// customer's pages keep answering.
    @Test func aSignInLoopWithTheRightPasswordIsThrottledThroughNginx() throws {
        let server = try EndToEndServer()
        let reader = Browser(port: server.port)
        try reader.signIn(TestAccount.ewa)
        let statuses = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            for _ in 0..<4 {
                let browser = Browser(port: server.port)
                guard let form = try? browser.get("/sign-in"), let token = Page.csrf(in: form),
                      let response = try? browser.post("/sign-in", form: [
                          ("csrf", token), ("customer_id", TestAccount.enzo.id), ("password", TestAccount.enzo.password),
                      ]) else {
                    statuses.withLock { $0.append(0) }
                    continue
                }
                if response.status == 503 || response.status == 429 {
                    #expect(Int(response.header("Retry-After") ?? "") ?? 0 > 0)
                }
                statuses.withLock { $0.append(response.status) }
            }
        }
        let all = statuses.withLock { $0 }
        #expect(all.count == 64 && !all.contains(0), "every attempt answered: \(all)")
        #expect(all.allSatisfy { [303, 429, 503].contains($0) }, "\(all)")
        #expect((1...10).contains(all.filter { $0 == 303 }.count), "\(all)")
        let sessions = try server.sqlite("SELECT count(*) FROM session WHERE account_id = '\(TestAccount.enzo.id)'")
        #expect((Int(sessions) ?? 99) <= 10, "sessions: \(sessions)")
        #expect(try reader.get("/contacts").status == 200)
    }

    @Test func signInAndCodesAreThrottledThroughNginx() throws {
        let server = try EndToEndServer()
        let browser = Browser(port: server.port)
        var statuses: [Int] = []
        for _ in 0..<7 {
            let form = try browser.get("/sign-in")
            let response = try browser.post("/sign-in", form: [("csrf", try #require(Page.csrf(in: form))),
                                                               ("customer_id", TestAccount.enzo.id), ("password", "guess")])
            statuses.append(response.status)
            if response.status == 429 {
                #expect(Int(response.header("Retry-After") ?? "") ?? 0 > 0)
                #expect(Page.text(response).contains("name=\"customer_id\""), "the form comes back")
            }
        }
        #expect(statuses.prefix(5).allSatisfy { $0 == 422 } && statuses.last == 429, "\(statuses)")
        // The right password waits too: guessing gains nothing.
        let form = try browser.get("/sign-in")
        #expect(try browser.post("/sign-in", form: [("csrf", try #require(Page.csrf(in: form))), ("customer_id", TestAccount.enzo.id),
                                                    ("password", TestAccount.enzo.password)]).status == 429)

        // Codes: Ewa asks for Enzo's technical role back; wrong codes are slowed down.
        let ewa = Browser(port: server.port)
        try ewa.signIn(TestAccount.ewa)
        let editURL = try #require(Page.contactsRow(of: TestAccount.serviceName, in: try ewa.get("/contacts?q=e2e-flow"))?.editURL)
        #expect(try ewa.submit(editURL, from: editURL, form: [("take_tech", "1")]).status == 303)
        let link = try #require(try Mailbox(server: server).deliver().flatMap(\.links)
            .compactMap { CodeLink($0, base: "http://127.0.0.1:\(server.port)") }.first)
        var codeStatuses: [Int] = []
        for attempt in 0..<7 {
            codeStatuses.append(try ewa.submit("/requests/\(link.requestID)/accept", from: "/requests/\(link.requestID)",
                                               form: [("code", "guess-\(attempt)")]).status)
        }
        #expect(codeStatuses.prefix(5).allSatisfy { $0 == 422 } && codeStatuses.last == 429, "\(codeStatuses)")
        #expect(try ewa.submit("/requests/\(link.requestID)/accept", from: "/requests/\(link.requestID)",
                               form: [("code", link.code)]).status == 429)
        #expect(try server.sqlite("SELECT state FROM change_request WHERE id = \(link.requestID);") == "waiting")
    }

    /// Session secrets, CSRF tokens, codes and passwords never reach the app's log or nginx's.
    @Test func noSecretsInAnyLog() throws {
        let server = try EndToEndServer()
        let ewa = Browser(port: server.port)
        try ewa.signIn(TestAccount.ewa)
        let sessionSecret = try #require(ewa.cookies["sc_session"])
        let csrf = try #require(Page.csrf(in: try ewa.get("/profile")))
        let editURL = try #require(Page.contactsRow(of: TestAccount.serviceName, in: try ewa.get("/contacts?q=e2e-flow"))?.editURL)
        #expect(try ewa.submit(editURL, from: editURL, form: [("new_tech", TestAccount.ewa.id)]).status == 303)
        let link = try #require(try Mailbox(server: server).deliver().flatMap(\.links)
            .compactMap { CodeLink($0, base: "http://127.0.0.1:\(server.port)") }.first)
        // Open the link, get it wrong, post junk and broken requests that make the app log, accept.
        _ = try ewa.get(link.target)
        _ = try ewa.send("HEAD", link.target)
        _ = try ewa.submit("/requests/\(link.requestID)/accept", from: link.target, form: [("code", link.code + "x")])
        _ = try HTTPTestClient(port: server.port).send("GET", "/requests/\(link.requestID)?code=\(link.code)%ZZ",
                                                       headers: [("Cookie", "sc_session=\(sessionSecret)"), ("Referer", link.url)])
        _ = try ewa.send("POST", "/requests/\(link.requestID)/accept?code=\(link.code)",
                         headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Referer", link.url)],
                         body: Array("csrf=\(csrf)&code=\(link.code)%".utf8))
        #expect(try ewa.submit("/requests/\(link.requestID)/accept", from: link.target, form: [("code", link.code)]).status == 303)
        // The app down for a moment: nginx logs its failure to connect (at crit, which is not kept).
        server.stopApp()
        _ = try HTTPTestClient(port: server.port).send("GET", link.target, headers: [("Cookie", "sc_session=\(sessionSecret)")])

        let logs = server.allLogs() + ((try? String(contentsOf: server.directory.appendingPathComponent("nginx-stderr.log"), encoding: .utf8)) ?? "")
        #expect(logs.contains("/requests/\(link.requestID)"), "the visits are logged")
        for secret in [sessionSecret, csrf, link.code, TestAccount.ewa.password, String(link.code.prefix(12))] {
            #expect(!logs.contains(secret), "a secret in a log")
        }
        #expect(!logs.contains("code="), "no query strings")
    }

    /// Links in emails come from --public-base-url, whatever Host or X-Forwarded-Host says.
    @Test func emailLinksIgnoreAForgedHost() throws {
        let server = try EndToEndServer()
        let ewa = Browser(port: server.port)
        try ewa.signIn(TestAccount.ewa)
        let editURL = try #require(Page.contactsRow(of: TestAccount.serviceName, in: try ewa.get("/contacts?q=e2e-flow"))?.editURL)
        let csrf = try #require(Page.csrf(in: try ewa.get(editURL)))
        let cookie = ewa.cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        let body = "csrf=\(csrf)&new_tech=\(TestAccount.ewa.id)"
        let response = try RawHTTP.exchange(port: server.port, request: Array("""
            POST \(editURL) HTTP/1.1\r
            Host: evil.example\r
            X-Forwarded-Host: evil.example\r
            X-Forwarded-Proto: https\r
            Forwarded: host=evil.example;proto=https\r
            Cookie: \(cookie)\r
            Content-Type: application/x-www-form-urlencoded\r
            Content-Length: \(body.utf8.count)\r
            Connection: close\r
            \r
            \(body)
            """.utf8))
        #expect(response.status == 303, "\(response.status) \(Page.text(response).prefix(300))")
        #expect(response.header("Location")?.hasPrefix("/") == true, "redirects stay relative")
        let emails = try Mailbox(server: server).deliver()
        #expect(!emails.isEmpty)
        for email in emails {
            #expect(!email.body.contains("evil"), "\(email.body)")
            #expect(!email.links.isEmpty && email.links.allSatisfy { $0.hasPrefix("http://127.0.0.1:\(server.port)/requests/") }, "\(email.links)")
        }
    }

    /// A POST from a page of another site, as a browser sends it, is refused; one from the
    /// site's own pages (Origin matching Host, or "null" from the no-referrer request page) is not.
    @Test func crossSitePostsAreRefusedThroughNginx() throws {
        let server = try EndToEndServer()
        let ewa = Browser(port: server.port)
        try ewa.signIn(TestAccount.ewa)
        let csrf = try #require(Page.csrf(in: try ewa.get("/profile")))
        let form = Array("csrf=\(csrf)&email=cross%40example.org&language=pt&password=\(Browser.encode(TestAccount.ewa.password))".utf8)
        let headers = [("Content-Type", "application/x-www-form-urlencoded")]
        for forged in [[("Origin", "http://evil.example")], [("Sec-Fetch-Site", "cross-site")], [("Origin", "http://127.0.0.1:1")]] {
            let response = try ewa.send("POST", "/profile", headers: headers + forged, body: form)
            #expect(response.status == 403, "\(forged)")
            #expect(Page.text(response).contains(try CatalogText.string("error_403_csrf", "pt")))
        }
        #expect(try server.sqlite("SELECT email FROM account WHERE id = '\(TestAccount.ewa.id)';") == TestAccount.ewa.email)
        for allowed in [[("Origin", "http://127.0.0.1:\(server.port)")], [("Origin", "null")], [("Sec-Fetch-Site", "same-origin")]] {
            #expect(try ewa.send("POST", "/profile", headers: headers + allowed, body: form).status == 303, "\(allowed)")
        }
    }

    /// Display names and service names reach mail headers; only the operator sets them, and the
    /// operator's tool refuses line breaks in them.
    @Test func theOperatorCannotPutLineBreaksIntoNamesThatReachMailHeaders() throws {
        let server = try EndToEndServer()
        for (command, extra) in [
            ("add-account", ["--id", "cr100001-ovh", "--name", "Eve\r\nBcc: all@example.org", "--email", "eve@example.org",
                             "--language", "pl", "--password", "x-Password-1"]),
            ("add-account", ["--id", "cr100002-ovh", "--name", "Eve", "--email", "eve@example.org\r\nBcc: all@example.org",
                             "--language", "pl", "--password", "x-Password-1"]),
            ("add-service", ["--name", "shop.pl\nBcc: all@example.org", "--type", "domain",
                             "--admin", TestAccount.ewa.id, "--tech", TestAccount.ewa.id, "--billing", TestAccount.ewa.id]),
        ] {
            #expect(throws: EndToEndError.self, "\(command) \(extra)") { try server.admin([command] + extra) }
        }
        #expect(try server.sqlite("SELECT count(*) FROM account WHERE id LIKE 'cr10000%';") == "0")
    }
}
