import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore
import Testing
@testable import WebApp

/// Hostile and broken input through the router, on a real database: every answer is a page with
/// a localized message (the form back where there is a form), nothing is stored, and nothing is
/// ever a 500. What SignInTests, ErrorPageTests, ContactsPageTests, ProfileTests and
/// ContactChangeTests already cover is not repeated here.
@Suite struct BadInputTests {
    // MARK: - Customer IDs

    /// Customer IDs that must never be "cleaned" into a valid one, with the message each gets.
    static let badCustomerIDs: [(String, String)] = [
        ("", "customer_id_error_empty"),
        ("   ", "customer_id_error_empty"),
        ("aa" + String(repeating: "1", count: 40) + "-ovh", "customer_id_error_too_long"),
        ("\u{0430}a123-ovh", "customer_id_error_malformed"),          // Cyrillic а
        ("aa123-\u{043E}vh", "customer_id_error_malformed"),          // Cyrillic о
        ("aa１２３-ovh", "customer_id_error_malformed"),               // full-width digits
        ("aa123\u{200B}-ovh", "customer_id_error_malformed"),         // zero-width space
        ("\u{FEFF}aa123-ovh", "customer_id_error_malformed"),         // byte order mark
        ("aa123-ovh\u{200D}", "customer_id_error_malformed"),         // zero-width joiner
        ("\u{202E}hvo-321aa", "customer_id_error_malformed"),         // right-to-left override
        ("aa123\u{200F}-ovh", "customer_id_error_malformed"),         // right-to-left mark
        ("aa123-ovh\u{00A0}", "customer_id_error_malformed"),         // non-breaking space
        ("aa123-ovh' OR 1=1 --", "customer_id_error_malformed"),
        ("<script>alert(1)</script>", "customer_id_error_malformed"),
    ]

    @Test(arguments: BadInputTests.badCustomerIDs)
    func signInRefusesLookAlikeAndInvisibleCustomerIDs(_ typed: String, _ messageKey: String) throws {
        let test = try TestApp()
        try test.addAccount("aa123-ovh")
        let browser = test.browser()
        let response = browser.signIn(typed)
        #expect(response.status == .unprocessableContent)
        #expect(response.bodyText.contains(test.app.text(messageKey, .pl)))
        // The form comes back with what was typed, escaped, and without the password.
        #expect(response.bodyText.contains("name=\"customer_id\""))
        #expect(response.bodyText.contains("value=\"\(typed.htmlEscaped)\""))
        #expect(!response.bodyText.contains(TestApp.password))
        #expect(!response.bodyText.contains("<script>alert"))
        // Not signed in, and no failure counted against the real account.
        #expect(browser.get("/contacts").status == .seeOther)
        #expect(try test.database.signInFailures(key: SignInThrottle.Key.account(CustomerID(trusted: "aa123-ovh")).storageKey,
                                                 since: .distantPast).count == 0)
    }

    @Test(arguments: BadInputTests.badCustomerIDs.filter { !$0.0.trimmingCharacters(in: .whitespaces).isEmpty })
    func theEditPageRefusesThemTooAndStoresNothing(_ typed: String, _ messageKey: String) throws {
        let world = try ContactChangeTests.World()
        let admin = world.browser(signedInAs: world.admin)
        admin.get(world.editURL)
        let response = admin.post(world.editURL, [("new_tech", typed)])
        #expect(response.status == .unprocessableContent)
        #expect(response.bodyText.contains(world.test.app.text(messageKey, .pl)))
        #expect(response.bodyText.contains("name=\"new_tech\""))
        #expect(!response.bodyText.contains("<script>alert"))
        #expect(try world.test.database.openRequests(onService: world.serviceID).isEmpty)
        #expect(try world.emails(to: world.admin).isEmpty)
    }

    // MARK: - Encoding: forms and cookies (paths and queries: ErrorPageTests)

    @Test(arguments: [
        "customer_id=%C3%28&password=x",            // invalid UTF-8, percent-encoded
        "customer_id=aa%00&password=x",              // NUL, percent-encoded
        "customer_id=%&password=x",                  // broken escape
        "customer_id=%G1&password=x",
        "customer_id=aa%2&password=x",
        "customer_id=%ED%A0%80&password=x",          // a UTF-16 surrogate in UTF-8
        "customer_id=%C0%AF&password=x",             // overlong /
    ])
    func brokenFormEncodingIsABadRequestThatChangesNothing(_ body: String) throws {
        let test = try TestApp()
        try test.addAccount("aa123-ovh")
        let browser = test.browser()
        browser.get("/sign-in")
        let token = try #require(browser.csrfToken)
        let response = browser.send(HTTPRequest(
            method: "POST", target: "/sign-in",
            headers: ["content-type": "application/x-www-form-urlencoded"],
            body: Array("csrf=\(token)&\(body)".utf8)
        ))
        #expect(response.status == .badRequest)
        #expect(response.bodyText.contains(test.app.text("error_400", .pl)))
        #expect(browser.get("/contacts").status == .seeOther)
    }

    @Test(arguments: [[0xFF, 0xFE], [0x00], [0xC3], [0xE2, 0x82]] as [[UInt8]])
    func rawInvalidBytesInAFormAreABadRequest(_ bytes: [UInt8]) throws {
        let test = try TestApp()
        let id = try test.addAccount("aa123-ovh")
        let browser = test.browser()
        browser.signIn("aa123-ovh")
        browser.get("/profile")
        let token = try #require(browser.csrfToken)
        let response = browser.send(HTTPRequest(
            method: "POST", target: "/profile",
            headers: ["content-type": "application/x-www-form-urlencoded"],
            body: Array("csrf=\(token)&language=pt&email=x".utf8) + bytes + Array("@example.com".utf8)
        ))
        #expect(response.status == .badRequest)
        #expect(response.bodyText.contains(test.app.text("error_400", .pl)))
        #expect(try test.database.account(id)?.email.rawValue == "aa123-ovh@example.test")
    }

    @Test func aFormThatIsNotUrlencodedIsABadRequest() throws {
        let test = try TestApp()
        let browser = test.browser()
        browser.get("/sign-in")
        for contentType in ["multipart/form-data; boundary=x", "application/json", "text/plain"] {
            let response = browser.send(HTTPRequest(method: "POST", target: "/sign-in", headers: ["content-type": contentType],
                                                    body: Array("{\"customer_id\":\"aa123-ovh\"}".utf8)))
            #expect(response.status == .badRequest, "\(contentType)")
        }
        #expect(browser.send(HTTPRequest(method: "POST", target: "/sign-in")).status == .badRequest)
    }

    @Test(arguments: [
        "sc_session=%00",
        "sc_session=\u{FFFD}\u{FFFD}",
        "sc_session=a\u{0}b; sc_lang=it",
        "sc_lang=%ff",
        "sc_lang=\u{202E}pl",
        "sc_lang=en",
        "sc_lang=" + String(repeating: "p", count: 9000),
        "=; ; ;=;sc_session",
        "sc_session=\"unterminated",
        String(repeating: "x=1; ", count: 3000),
    ])
    func brokenCookiesAreIgnored(_ header: String) throws {
        let test = try TestApp()
        let response = test.app.respond(to: HTTPRequest(method: "GET", target: "/sign-in", headers: ["cookie": header]))
        #expect(response.status == .ok)
        #expect(response.bodyText.contains("name=\"customer_id\""))
        #expect(["pl", "it"].contains(response.header("Content-Language")))
        // A fresh, well-formed session secret replaces whatever came in.
        let cookie = try #require(response.headerValues("Set-Cookie").first { $0.hasPrefix("sc_session=") })
        #expect(cookie.split(separator: ";")[0].count == "sc_session=".count + 43)
    }

    @Test func aDuplicatedSessionCookieUsesTheFirstCopyOnly() throws {
        let test = try TestApp()
        try test.addAccount("aa123-ovh")
        let browser = test.browser()
        browser.signIn("aa123-ovh")
        let secret = try #require(browser.cookies["sc_session"])
        let forged = Secret.generate()
        func contacts(_ cookie: String) -> HTTPResponse {
            test.app.respond(to: HTTPRequest(method: "GET", target: "/contacts", headers: ["cookie": cookie]))
        }
        #expect(contacts("sc_session=\(secret); sc_session=\(forged)").status == .ok)
        #expect(contacts("sc_session=\(forged); sc_session=\(secret)").status == .seeOther)
        #expect(contacts("sc_session=junk; sc_session=\(secret)").status == .seeOther)
        // A forged, well-formed secret signs nobody in and is not stored.
        #expect(contacts("sc_session=\(forged)").status == .seeOther)
        #expect(try test.database.session(digest: Secret.digest(forged)) == nil)
    }

    // MARK: - Size, count and duplicates

    @Test func hugeFieldsInFormsAreRefusedWithoutStoringAnything() throws {
        let test = try TestApp()
        let id = try test.addAccount("aa123-ovh")
        let browser = test.browser()
        browser.signIn("aa123-ovh")
        browser.get("/profile")
        let huge = browser.post("/profile", [("email", String(repeating: "a", count: 70_000) + "@example.com"), ("language", "pt")])
        #expect(huge.status == .payloadTooLarge)
        #expect(huge.bodyText.contains(test.app.text("error_413", .pl)))
        // Under the field limit but over the address limit: the form back with the message.
        browser.get("/profile")
        let long = browser.post("/profile", [("email", String(repeating: "a", count: 300) + "@example.com"), ("language", "pt")])
        #expect(long.status == .unprocessableContent)
        #expect(long.bodyText.contains(test.app.text("email_error_too_long", .pl)))
        #expect(try test.database.account(id)?.email.rawValue == "aa123-ovh@example.test")
        #expect(try test.database.account(id)?.language == .pl)
    }

    @Test func thousandsOfParametersAreABadRequest() throws {
        let test = try TestApp()
        let id = try test.addAccount("aa123-ovh")
        let browser = test.browser()
        browser.signIn("aa123-ovh")
        browser.get("/profile")
        let token = try #require(browser.csrfToken)
        let many = (0..<5000).map { "f\($0)=\($0)" }.joined(separator: "&")
        let response = browser.send(HTTPRequest(
            method: "POST", target: "/profile", headers: ["content-type": "application/x-www-form-urlencoded"],
            body: Array("csrf=\(token)&email=new@example.com&language=it&\(many)".utf8)
        ))
        #expect(response.status == .badRequest)
        #expect(response.bodyText.contains(test.app.text("error_400", .pl)))
        #expect(try test.database.account(id)?.email.rawValue == "aa123-ovh@example.test")
        // The same many keys all with one name.
        let sameName = (0..<5000).map { _ in "q=a" }.joined(separator: "&")
        #expect(browser.get("/contacts?\(sameName)").status == .badRequest)
    }

    @Test func duplicateKeysNeverOverrideTheFirstValue() throws {
        let test = try TestApp()
        let id = try test.addAccount("aa123-ovh")
        let browser = test.browser()
        browser.signIn("aa123-ovh")
        browser.get("/profile")
        let token = try #require(browser.csrfToken)
        let password = "password=\(PercentDecoding.encode(TestApp.password))"
        let body = "csrf=\(token)&email=first%40example.com&language=pt&\(password)&email=second%40example.com&language=it&password=x&csrf=forged"
        let response = browser.send(HTTPRequest(method: "POST", target: "/profile",
                                                headers: ["content-type": "application/x-www-form-urlencoded"], body: Array(body.utf8)))
        #expect(response.status == .seeOther)
        #expect(try test.database.pendingEmailChange(of: id, now: test.clock.now)?.newAddress.rawValue == "first@example.com")
        #expect(try test.database.account(id)?.language == .pt)

        // A forged token first is refused even with the real one after it.
        browser.get("/profile")
        let forgedFirst = "csrf=forged&csrf=\(try #require(browser.csrfToken))&email=third%40example.com&language=it&\(password)"
        #expect(browser.send(HTTPRequest(method: "POST", target: "/profile", headers: ["content-type": "application/x-www-form-urlencoded"],
                                         body: Array(forgedFirst.utf8))).status == .forbidden)
        #expect(try test.database.pendingEmailChange(of: id, now: test.clock.now)?.newAddress.rawValue == "first@example.com")
    }

    // MARK: - Markup, script and SQL: shown literally, escaped

    @Test func markupInOperatorSetNamesIsEscapedInEveryPageAndKeptLiterallyInEmails() throws {
        let test = try TestApp()
        let evil = "<script>alert('x')</script>\"&'"
        let admin = try test.addAccount("ad100-ovh", name: "Adam \(evil)")
        let tech = try test.addAccount("te200-ovh", name: "<img src=x onerror=alert(1)>")
        let newcomer = try test.addAccount("ne400-ovh", name: "Nina </textarea><b>bold</b>")
        let serviceID = try test.database.addService(name: "x'; DROP TABLE service; --<i>.pl", type: .domain,
                                                     administrative: admin, technical: tech, billing: admin)
        let browser = test.browser()
        browser.signIn("ad100-ovh")
        let edit = "/services/\(serviceID)/edit"
        browser.get(edit)
        #expect(browser.post(edit, [("new_tech", newcomer.rawValue)]).status == .seeOther)
        let requestID = try #require(try test.database.openRequests(onService: serviceID).values.first)

        var pages: [String] = []
        for target in ["/contacts", "/contacts?q=DROP", edit, "/requests", "/requests/\(requestID)", "/profile"] {
            let response = browser.get(target)
            #expect(response.status == .ok, "\(target)")
            pages.append(response.bodyText)
        }
        let all = pages.joined()
        for raw in ["<script>alert", "<img src=x", "</textarea><b>", "<i>.pl"] {
            #expect(!all.contains(raw), "\(raw) unescaped")
        }
        #expect(all.contains("Adam \(evil)".htmlEscaped))
        #expect(all.contains("x'; DROP TABLE service; --<i>.pl".htmlEscaped))
        // The SQL in the name was stored, not run.
        #expect(try test.database.roleHolders(ofService: serviceID)?.name == "x'; DROP TABLE service; --<i>.pl")

        // Emails are plain text: the names as they are, never interpreted, never HTML-escaped twice.
        let emails = try test.database.pendingEmails(now: test.clock.now.addingTimeInterval(3600), limit: 100).map(\.email)
        #expect(!emails.isEmpty)
        for email in emails {
            #expect(email.bodyText.contains("Adam \(evil)"))
            #expect(!email.bodyText.contains("&lt;"))
            #expect(email.subject.contains("x'; DROP TABLE service; --<i>.pl"))
            #expect(!email.subject.contains("\r") && !email.subject.contains("\n"))
        }
    }

    @Test func markupInEveryEchoedFieldIsEscaped() throws {
        let world = try ContactChangeTests.World()
        let admin = world.browser(signedInAs: world.admin)
        let script = "\"><script>alert(1)</script>"
        let encoded = PercentDecoding.encode(script)
        let (_, id, _, _) = try world.askForNewTechnicalContact()

        var bodies: [String] = []
        bodies.append(admin.get("/contacts?q=\(encoded)").bodyText)
        bodies.append(admin.get("/requests/\(id)?code=\(encoded)").bodyText)
        admin.get(world.editURL)
        bodies.append(admin.post(world.editURL, [("new_billing", script), ("new_admin", script)]).bodyText)
        admin.get("/requests/\(id)")
        bodies.append(admin.post("/requests/\(id)/accept", [("code", script)]).bodyText)
        admin.get("/profile")
        bodies.append(admin.post("/profile", [("email", script), ("language", script)]).bodyText)
        let anonymous = world.test.browser()
        bodies.append(anonymous.get("/sign-in?next=/contacts\(encoded)").bodyText)
        bodies.append(anonymous.get("/no-such\(encoded)").bodyText)
        for body in bodies {
            #expect(!body.contains("<script>alert(1)"))
        }
        #expect(bodies[0].contains("&quot;&gt;&lt;script&gt;"))
        #expect(try world.test.database.openRequests(onService: world.serviceID).count == 1)
        // CR/LF cannot reach a redirect either: the "back" of the switcher is refused.
        #expect(admin.get("/language?set=it&back=%2Fx%0D%0ASet-Cookie%3A%20a%3Db").header("Location") == "/")
    }

    @Test func sqlFragmentsAreSearchedAndStoredLiterally() throws {
        let test = try TestApp()
        let me = try test.addAccount("me100-ovh")
        let other = try test.addAccount("ot200-ovh")
        try test.database.addService(name: "plain.pl", type: .domain, administrative: me, technical: me, billing: me)
        try test.database.addService(name: "o'reilly.example", type: .domain, administrative: me, technical: other, billing: me)
        let browser = test.browser()
        browser.signIn("me100-ovh")
        for fragment in ["' OR 1=1 --", "\" OR \"\"=\"", "%' --", "'; DELETE FROM service; --", "1) UNION SELECT * FROM account --"] {
            let response = browser.get("/contacts?q=\(PercentDecoding.encode(fragment))")
            #expect(response.status == .ok, "\(fragment)")
            #expect(!response.bodyText.contains("plain.pl"), "\(fragment) matched everything")
            #expect(response.bodyText.contains(test.app.text("contacts_empty_filtered", .pl)))
            #expect(response.bodyText.contains(fragment.htmlEscaped))
        }
        let quoted = browser.get("/contacts?q=\(PercentDecoding.encode("o'reilly"))").bodyText
        #expect(quoted.contains("o'reilly.example".htmlEscaped) && !quoted.contains("plain.pl"))
        #expect(try test.database.roleHolders(ofService: 1)?.name == "plain.pl")

        // An address with a quote is a valid address: stored (pending its link) and shown as typed.
        browser.get("/profile")
        #expect(browser.post("/profile", [("email", "o'brien--@example.com"), ("language", "pl"), ("password", TestApp.password)]).status == .seeOther)
        #expect(try test.database.pendingEmailChange(of: me, now: test.clock.now)?.newAddress.rawValue == "o'brien--@example.com")
        #expect(browser.get("/profile").bodyText.contains("o'brien--@example.com".htmlEscaped))
    }

    // MARK: - Accept-Language

    @Test(arguments: [
        "", "*", ";;;,,,", "q=1", "pl;q=abc", "pl;q=-1", "pl;q=2", "it;q=0", "xx-YY-ZZ-" + String(repeating: "a", count: 5000),
        String(repeating: "pt;q=0.1,", count: 2000), "\u{202E}pt", "pt\u{0}", "ＰＴ", "*;q=0.5, en",
    ])
    func junkAcceptLanguageFallsBackWithoutFailing(_ header: String) throws {
        let test = try TestApp(defaultLanguage: .it)
        let response = test.app.respond(to: HTTPRequest(method: "GET", target: "/sign-in", headers: ["accept-language": header]))
        #expect(response.status == .ok)
        let language = try #require(response.header("Content-Language"))
        #expect(["pl", "pt-PT", "it"].contains(language))
        #expect(response.bodyText.contains("<html lang=\"\(language)\">"))
    }

    // MARK: - Forgery

    @Test func aSignedInPostWithAnotherSessionsTokenOrNoneChangesNothing() throws {
        let test = try TestApp()
        let id = try test.addAccount("aa123-ovh")
        try test.addAccount("bb456-ovh")
        let victim = test.browser()
        victim.signIn("aa123-ovh")
        let attacker = test.browser()
        attacker.signIn("bb456-ovh")
        attacker.get("/profile")
        let attackersToken = try #require(attacker.csrfToken)
        victim.get("/profile")
        for token in [attackersToken, "", "x", String(repeating: "0", count: 64), try #require(victim.csrfToken).uppercased()] {
            let response = victim.post("/profile", [("email", "evil@example.com"), ("language", "it")], csrf: token)
            #expect(response.status == .forbidden)
            #expect(response.bodyText.contains(test.app.text("error_403_csrf", .pl)))
        }
        let noField = victim.send(HTTPRequest(method: "POST", target: "/profile", headers: ["content-type": "application/x-www-form-urlencoded"],
                                              body: Array("email=evil%40example.com&language=it".utf8)))
        #expect(noField.status == .forbidden)
        #expect(try test.database.account(id)?.email.rawValue == "aa123-ovh@example.test")
    }

    @Test(arguments: [
        ["sec-fetch-site": "cross-site"],
        ["origin": "https://evil.example"],
        ["origin": "http://contacts.example.test.evil.example"],
        ["origin": "https://contacts.example.test@evil.example"],
        ["origin": "file://"],
        ["origin": "http://localhost:8080", "host": "127.0.0.1:8080"],
        ["origin": "https://contacts.example.test:8443"],
    ])
    func crossSitePostsAreRefusedAndChangeNothing(_ headers: [String: String]) throws {
        let world = try ContactChangeTests.World()
        let (_, id, _, link) = try world.askForNewTechnicalContact()
        let newcomer = world.browser(signedInAs: world.newcomer)
        newcomer.get(link)
        var allHeaders = headers
        if allHeaders["host"] == nil { allHeaders["host"] = "contacts.example.test" }
        let response = newcomer.post("/requests/\(id)/accept", [("code", world.code(in: link))], headers: allHeaders)
        #expect(response.status == .forbidden)
        #expect(response.bodyText.contains(world.test.app.text("error_403_csrf", .it)))
        let snapshot = try world.test.database.request(Int64(id)!, for: world.newcomer, now: world.test.clock.now)
        #expect(snapshot.confirmations.allSatisfy { $0.acceptedAt == nil })
    }

    @Test(arguments: [
        ["origin": "http://127.0.0.1:8080", "host": "127.0.0.1:8080"],
        ["origin": "https://contacts.example.test"],                      // the public base URL, whatever the Host
        ["origin": "HTTPS://Contacts.Example.Test", "host": "internal:9000"],
        ["origin": "https://shop.example", "host": "shop.example:443"],
        ["origin": "null"],                                                // a form posted from a no-referrer page
        ["sec-fetch-site": "same-origin", "origin": "http://shop.example", "host": "shop.example"],
        [:],
    ])
    func sameSitePostsAreAccepted(_ headers: [String: String]) throws {
        let world = try ContactChangeTests.World()
        let (_, id, _, link) = try world.askForNewTechnicalContact()
        let newcomer = world.browser(signedInAs: world.newcomer)
        newcomer.get(link)
        let response = newcomer.post("/requests/\(id)/accept", [("code", world.code(in: link))], headers: headers)
        #expect(response.status == .seeOther, "\(headers)")
    }

    // MARK: - Codes

    @Test func mutatedCodesAreRefusedAndEscaped() throws {
        let world = try ContactChangeTests.World()
        let (_, id, _, link) = try world.askForNewTechnicalContact()
        let code = world.code(in: link)
        let newcomer = world.browser(signedInAs: world.newcomer)
        newcomer.get(link)
        var last = code
        last.removeLast()
        let mutations = [
            last + (code.last == "A" ? "B" : "A"),       // one character changed
            String(code.dropLast()),                     // truncated
            code + "A",                                  // one more
            code.uppercased() == code ? code.lowercased() : code.uppercased(),
            String(code.reversed()),
            code + "<b>",
            "\(code)' OR 1=1 --",
            String(repeating: "A", count: 43),
        ]
        for mutated in Set(mutations) where mutated != code {
            let response = newcomer.post("/requests/\(id)/accept", [("code", mutated)])
            #expect([422, 429].contains(response.status.code), "\(response.status)")
            #expect(!response.bodyText.contains("<b>"))
        }
        // The request is untouched; after the slow-down the real code still works.
        #expect(try world.test.database.roleHolders(ofService: world.serviceID)?.holders.technical == world.tech)
        world.test.clock.advance(by: 16 * 60)
        newcomer.get(link)
        #expect(newcomer.post("/requests/\(id)/accept", [("code", code)]).status == .seeOther)
    }

    @Test func wrongCodesAreSlowedDown() throws {
        let world = try ContactChangeTests.World()
        let (_, id, _, link) = try world.askForNewTechnicalContact()
        let newcomer = world.browser(signedInAs: world.newcomer)
        newcomer.get(link)
        var statuses: [Int] = []
        for attempt in 0..<7 {
            statuses.append(newcomer.post("/requests/\(id)/accept", [("code", "wrong-\(attempt)")]).status.code)
        }
        #expect(statuses.prefix(5).allSatisfy { $0 == 422 }, "\(statuses)")
        #expect(statuses.last == 429, "\(statuses)")
        // Even the right code waits while slowed down.
        let throttled = newcomer.post("/requests/\(id)/accept", [("code", world.code(in: link))])
        #expect(throttled.status == .tooManyRequests)
        #expect(throttled.header("Retry-After") != nil)
    }

    @Test(arguments: [
        ["sec-purpose": "prefetch"], ["sec-purpose": "prefetch;prerender"], ["purpose": "prefetch"], ["x-moz": "prefetch"], [:],
    ])
    func getHeadAndPrefetchOfACodeLinkChangeNothing(_ headers: [String: String]) throws {
        let world = try ContactChangeTests.World()
        let (_, id, _, link) = try world.askForNewTechnicalContact()
        let before = try world.emails(to: world.newcomer).count
        let newcomer = world.browser(signedInAs: world.newcomer)
        for method in ["GET", "HEAD", "GET"] {
            let response = newcomer.send(HTTPRequest(method: method, target: link, headers: headers))
            #expect(response.status == .ok)
            #expect(response.header("Referrer-Policy") == "no-referrer")
        }
        let snapshot = try world.test.database.request(Int64(id)!, for: world.newcomer, now: world.test.clock.now)
        #expect(snapshot.state == .waiting)
        #expect(snapshot.confirmations.allSatisfy { $0.acceptedAt == nil })
        #expect(try world.emails(to: world.newcomer).count == before)
        #expect(newcomer.post("/requests/\(id)/accept", [("code", world.code(in: link))]).status == .seeOther)
    }

    @Test func aCodeOfAnotherRequestDoesNotWorkHere() throws {
        let world = try ContactChangeTests.World()
        let other = try world.test.database.addService(name: "other.example.pl", type: .domain,
                                                       administrative: world.admin, technical: world.tech, billing: world.billing)
        let (admin, id, _, link) = try world.askForNewTechnicalContact()
        admin.get("/services/\(other)/edit")
        #expect(admin.post("/services/\(other)/edit", [("new_tech", world.newcomer.rawValue)]).status == .seeOther)
        let otherLink = try world.codeLink(for: world.newcomer)
        #expect(otherLink != link)
        let newcomer = world.browser(signedInAs: world.newcomer)
        newcomer.get(link)
        #expect(newcomer.post("/requests/\(id)/accept", [("code", world.code(in: otherLink))]).status == .unprocessableContent)
    }

    // MARK: - Methods

    @Test(arguments: [
        ("GET", "/requests/1/accept", "POST"), ("HEAD", "/requests/1/refuse", "POST"), ("PUT", "/sign-in", "GET, POST, HEAD"),
        ("DELETE", "/requests/1", "GET, HEAD"), ("POST", "/requests", "GET, HEAD"), ("OPTIONS", "/contacts", "GET, HEAD"),
        ("PATCH", "/services/1/edit", "GET, POST, HEAD"), ("TRACE", "/", "GET, HEAD"), ("FOO", "/healthz", "GET, HEAD"),
        ("get", "/contacts", "GET, HEAD"),
    ])
    func methodsARouteDoesNotAllowAre405(_ method: String, _ target: String, _ allowed: String) throws {
        let test = try TestApp(defaultLanguage: .it)
        let response = test.browser().send(HTTPRequest(method: method, target: target))
        #expect(response.status == .methodNotAllowed)
        #expect(response.header("Allow") == allowed)
        if method != "HEAD" {
            #expect(response.bodyText.contains(test.app.text("error_405", .it)))
        }
    }

    // MARK: - Never a 500

    @Test func aBarrageOfBadRequestsNeverGetsA500() throws {
        let world = try ContactChangeTests.World()
        let (admin, id, _, _) = try world.askForNewTechnicalContact()
        let cookie = admin.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        let targets = [
            "/", "/%", "/%zz", "/%00", "/%C3", "/%FF%FE", "//", "///contacts", "/contacts/", "/contacts/..", "/./contacts",
            "/requests/0", "/requests/-1", "/requests/99999999999999999999", "/requests/\(id)x", "/requests/\(id)/",
            "/requests/\(id)?code=%", "/requests/\(id)?code=%00", "/services/\(world.serviceID)/edit?notice=%E2%82",
            "/contacts?after=%FF", "/contacts?before=" + String(repeating: "A", count: 3000), "/contacts?size=99999999999999999999",
            "/contacts?role=&type=&sort=", "/contacts?q=%F0%9F%98%80", "/contacts?=&=&&&", "/requests?state=%00",
            "/language?set=", "/language?set=pl&back=%", "/sign-in?next=%0D%0A", "/profile?notice=" + String(repeating: "x", count: 4000),
        ]
        for target in targets {
            for method in ["GET", "POST", "HEAD"] {
                for headers in [["cookie": cookie], [:]] {
                    var all = headers
                    all["content-type"] = "application/x-www-form-urlencoded"
                    let response = world.test.app.respond(to: HTTPRequest(method: method, target: target, headers: all,
                                                                          body: Array("csrf=x&code=%ZZ".utf8)))
                    #expect(response.status.code < 500, "\(method) \(target) → \(response.status)")
                    if response.status.code >= 400, method != "HEAD" {
                        #expect(response.bodyText.contains("<html lang="), "\(method) \(target)")
                    }
                }
            }
        }
        #expect(try world.test.database.openRequests(onService: world.serviceID).count == 1)
    }
}
