import Foundation
import Testing

/// What a person does in a browser, over real HTTP through nginx to the real contacts-fcgi.
@Suite(.timeLimit(.minutes(3)))
struct FlowTests {
    @Test(arguments: EndToEndEngine.allCases)
    func signInContactsProfileLanguageAndSignOut(_ engine: EndToEndEngine) throws {
        guard engine.isAvailable else { return }
        let server = try EndToEndServer(engine: engine)
        let browser = Browser(port: server.port, acceptLanguage: "it-IT,it;q=0.9,en;q=0.5")
        let ewa = TestAccount.ewa

        // Anonymous: the contacts page sends to sign-in, coming back afterwards.
        let anonymous = try browser.get("/contacts")
        #expect(anonymous.status == 303)
        #expect(anonymous.header("Location")?.hasPrefix("/sign-in") == true)

        // The sign-in page, in the browser's language.
        let form = try browser.get("/sign-in")
        #expect(form.status == 200, "\(server.appLogText)")
        #expect(form.header("Content-Language") == "it")
        #expect(form.header("Vary")?.contains("Accept-Language") == true)
        #expect(form.headerValues("Cache-Control") == ["no-store"], "nginx adds no caching of its own to app pages")
        expectSecurityHeaders(form)
        let signInToken = try #require(csrfToken(in: form), "the sign-in form carries a CSRF token")
        let anonymousSession = browser.cookies["sc_session"]
        #expect(anonymousSession != nil)

        // A wrong password and an unknown ID get one and the same answer.
        let wrongPassword = try browser.post("/sign-in", form: [
            ("csrf", signInToken), ("customer_id", ewa.id), ("password", "not-the-password"),
        ])
        let unknownID = try browser.post("/sign-in", form: [
            ("csrf", signInToken), ("customer_id", "zz999999-ovh"), ("password", "not-the-password"),
        ])
        #expect(wrongPassword.status == 422)
        #expect(unknownID.status == wrongPassword.status)
        let message = try #require(errorBox(in: wrongPassword))
        #expect(errorBox(in: unknownID) == message)
        #expect(browser.cookies["sc_session"] == anonymousSession, "no session for a failed sign-in")

        // Any letter case, spaces around: signed in, with a new session ID.
        let signedIn = try browser.post("/sign-in", form: [
            ("csrf", signInToken), ("customer_id", "  \(ewa.id.uppercased())  "), ("password", ewa.password), ("next", "/contacts"),
        ])
        #expect(signedIn.status == 303, "\(signedIn.text)")
        #expect(signedIn.header("Location") == "/contacts")
        let session = try #require(browser.cookies["sc_session"])
        #expect(session != anonymousSession, "a new session ID at sign-in")
        let sessionCookie = try #require(signedIn.headerValues("Set-Cookie").first { $0.hasPrefix("sc_session=") })
        #expect(sessionCookie.contains("HttpOnly"))
        #expect(sessionCookie.contains("SameSite="))

        // My contacts: in the account's language (pt), which wins over the browser's.
        let contacts = try browser.get("/contacts")
        #expect(contacts.status == 200)
        #expect(contacts.header("Content-Language") == "pt-PT")
        #expect(contacts.text.contains(TestAccount.serviceName))
        #expect(contacts.text.contains(TestAccount.enzo.id))
        expectSecurityHeaders(contacts)

        // The profile: a new email address (with the password; it waits for its link) and language.
        let profile = try browser.get("/profile")
        #expect(profile.status == 200)
        #expect(profile.text.contains(ewa.email))
        let profileToken = try #require(csrfToken(in: profile))
        let invalid = try browser.post("/profile", form: [("csrf", profileToken), ("email", "not an address"), ("language", "pl")])
        #expect(invalid.status == 422)
        let noPassword = try browser.post("/profile", form: [("csrf", profileToken), ("email", "ewa.nowa@example.org"), ("language", "pl")])
        #expect(noPassword.status == 422)
        let saved = try browser.post("/profile", form: [
            ("csrf", profileToken), ("email", "ewa.nowa@example.org"), ("language", "pl"), ("password", ewa.password),
        ])
        #expect(saved.status == 303)
        let reloaded = try browser.get("/profile")
        #expect(reloaded.text.contains("ewa.nowa@example.org"))
        #expect(reloaded.text.contains("value=\"\(ewa.email)\""), "the address waits for its link")
        #expect(reloaded.header("Content-Language") == "pl")

        // A forged POST (no token) is refused and changes nothing.
        let forged = try browser.post("/profile", form: [("email", "attacker@example.org"), ("language", "it"), ("password", ewa.password)])
        #expect(forged.status == 403)
        expectSecurityHeaders(forged)
        #expect(!(try browser.get("/profile").text.contains("attacker@example.org")))

        // The language switch: back to the same page, now in Italian.
        let switched = try browser.get("/language?set=it&back=/contacts")
        #expect(switched.status == 303)
        #expect(switched.header("Location") == "/contacts")
        #expect(browser.cookies["sc_lang"] == "it")
        #expect(try browser.get("/contacts").header("Content-Language") == "it")

        // Sign out: the session is gone on the server, not just forgotten by the browser.
        let signOutToken = try #require(csrfToken(in: try browser.get("/contacts")))
        let signedOut = try browser.post("/sign-out", form: [("csrf", signOutToken)])
        #expect(signedOut.status == 303)
        #expect(try browser.get("/contacts").status == 303)
        let replay = Browser(port: server.port)
        replay.cookies["sc_session"] = session
        #expect(try replay.get("/contacts").status == 303, "the old session ID no longer works")

        // Nothing personal in the access log.
        let log = server.accessLogText(lines: 10)
        #expect(!log.contains(ewa.password))
        #expect(!log.contains("?"))
    }

    @Test(arguments: EndToEndEngine.allCases)
    func theContactsTablePaginatesSortsAndFiltersThroughTheAddressBar(_ engine: EndToEndEngine) throws {
        guard engine.isAvailable else { return }
        let server = try EndToEndServer(engine: engine)
        let browser = Browser(port: server.port)
        let reseller = "re400004-ovh"
        try signIn(browser, id: reseller, password: DemoDatabase.demoPassword(for: reseller))

        let first = try browser.get("/contacts")
        #expect(first.status == 200)
        let firstRows = rowNames(in: first)
        #expect(firstRows.count == 50, "50 rows per page by default")
        let next = try #require(link(in: first, rel: "next"), "a next-page link")
        #expect(next.hasPrefix("/contacts?"))

        let second = try browser.get(next)
        #expect(second.status == 200)
        let secondRows = rowNames(in: second)
        #expect(secondRows.count == 50)
        #expect(Set(firstRows).isDisjoint(with: secondRows))
        #expect(link(in: second, rel: "prev") != nil)

        // Sorting by name, descending: another first page, ending where the ascending one starts.
        let descending = try browser.get("/contacts?sort=name-desc")
        #expect(descending.status == 200)
        let descendingRows = rowNames(in: descending)
        #expect(descendingRows.count == 50)
        #expect(descendingRows.first != firstRows.first)
        #expect(Set(descendingRows).isDisjoint(with: firstRows))

        // Filtering by text and by role keeps only matching rows.
        let byText = try browser.get("/contacts?q=klient")
        #expect(byText.status == 200)
        #expect(!rowNames(in: byText).isEmpty)
        #expect(rowNames(in: byText).allSatisfy { $0.contains("klient") })
        let byRole = try browser.get("/contacts?role=billing&size=25")
        #expect(byRole.status == 200)
        #expect(rowNames(in: byRole).count == 25)

        // Values no link of ours produces are a 400, with the security headers.
        let bad = try browser.get("/contacts?sort=bogus")
        #expect(bad.status == 400)
        expectSecurityHeaders(bad)
        let badEncoding = try browser.get("/contacts?q=%ZZ")
        #expect(badEncoding.status == 400)
    }

    @Test func badInputThroughNginxIsAnsweredWithoutServerErrors() throws {
        let server = try EndToEndServer()
        let client = HTTPTestClient(port: server.port)
        for target in ["/%C3%28", "/contacts/%00", "/sign-in?next=%E0%A4%A", "/nowhere?\u{7F}"] {
            let response = try client.send("GET", target)
            #expect((400...499).contains(response.status), "\(target) → \(response.status)")
        }
        #expect(try client.send("GET", "/healthz").status == 200)
    }

    // MARK: - Helpers

    private func signIn(_ browser: Browser, id: String, password: String) throws {
        let form = try browser.get("/sign-in")
        let token = try #require(csrfToken(in: form))
        let response = try browser.post("/sign-in", form: [("csrf", token), ("customer_id", id), ("password", password)])
        try #require(response.status == 303, "sign-in as \(id): \(response.status)")
    }

    private func csrfToken(in response: ClientResponse) -> String? {
        firstMatch(#"name="csrf" value="([^"]+)""#, in: response.text)
    }

    private func errorBox(in response: ClientResponse) -> String? {
        firstMatch(#"class="error-box"[^>]*>([^<]+)<"#, in: response.text)
    }

    private func link(in response: ClientResponse, rel: String) -> String? {
        firstMatch(#"<a href="([^"]+)" rel="\#(rel)""#, in: response.text).map(unescape)
    }

    /// The service names of the table's rows, in order.
    private func rowNames(in response: ClientResponse) -> [String] {
        allMatches(#"<th scope="row">(?:<a [^>]*>)?([^<]+)(?:</a>)?</th>"#, in: response.text).map(unescape)
    }

    private func unescape(_ html: String) -> String {
        html.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#x2F;", with: "/")
            .replacingOccurrences(of: "&#x3D;", with: "=").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&#x27;", with: "'")
    }

    private func firstMatch(_ pattern: String, in text: String) -> String? {
        allMatches(pattern, in: text).first
    }

    private func allMatches(_ pattern: String, in text: String) -> [String] {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return expression.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
