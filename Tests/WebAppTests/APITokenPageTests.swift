import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore
import Localization
import Testing
@testable import WebApp

/// The profile's "API tokens" section: made with the password, shown once, listed, revoked.
@Suite struct APITokenPageTests {
    struct World {
        let test = try! TestApp()
        let owner: CustomerID

        init() throws {
            owner = try test.addAccount("pl100-ovh", name: "Piotr Nowak", language: .pl)
        }

        func signedIn(_ id: String = "pl100-ovh") -> Browser {
            let browser = test.browser()
            browser.signIn(id)
            browser.get("/profile")
            return browser
        }

        @discardableResult
        func create(_ browser: Browser, name: String = "nightly sync", scope: String = "read-write", days: String = "30",
                    password: String = TestApp.password) -> HTTPResponse {
            browser.post("/profile/tokens", [("name", name), ("scope", scope), ("days", days), ("password", password)])
        }

        func tokens() throws -> [APITokenInfo] { try test.database.apiTokens(of: owner) }

        func text(_ key: String, _ language: Language = .pl) -> String {
            test.app.catalog.string(key, language).htmlEscaped
        }

        /// The token the page shows, if it shows one.
        func shownToken(_ page: String) -> String? {
            guard let start = page.range(of: "<code class=\"new-token\">") else { return nil }
            return String(page[start.upperBound...].prefix { $0 != "<" })
        }
    }

    @Test func theProfileOffersTheSectionWithNoTokens() throws {
        let world = try World()
        let page = world.signedIn().lastPage
        #expect(page.contains(world.text("profile_tokens_heading")))
        #expect(page.contains(world.text("profile_tokens_none")))
        #expect(page.contains("action=\"/profile/tokens\""))
        #expect(page.firstValue(ofField: "days") == "90")
    }

    @Test func aCreatedTokenIsShownOnceAndStoredAsItsDigest() throws {
        let world = try World()
        let browser = world.signedIn()
        let response = world.create(browser)
        // The page that answers the POST shows it, uncached, with no redirect
        #expect(response.status == .ok)
        #expect(response.header("Location") == nil)
        #expect(response.header("Cache-Control") == "no-store")
        let token = try #require(world.shownToken(response.bodyText))
        #expect(APITokenSecret.isWellFormed(token))
        #expect(response.bodyText.contains(world.text("profile_token_created")))
        // Stored as its digest, with its name, scope and expiry; it opens the account
        let stored = try world.tokens()
        #expect(stored.map(\.name) == ["nightly sync"])
        #expect(stored.first?.scope == .readWrite)
        #expect(stored.first?.expiresAt == world.test.clock.now.addingTimeInterval(30 * 24 * 3600))
        let access = try world.test.database.apiTokenAccess(digest: Secret.digest(token), now: world.test.clock.now)
        #expect(access?.account == world.owner)
        // Listed on the profile afterwards, never shown again
        let later = browser.get("/profile").bodyText
        #expect(world.shownToken(later) == nil)
        #expect(!later.contains(token))
        #expect(later.contains("<th scope=\"row\">nightly sync</th>"))
        #expect(later.contains(world.text("profile_token_scope_read_write")))
        #expect(later.contains(world.text("profile_token_never_used")))
    }

    @Test func theListShowsTimesInTheReadersZone() throws {
        let world = try World()
        let browser = world.signedIn()
        world.create(browser, days: "1")
        let expiry = world.test.clock.now.addingTimeInterval(24 * 3600)
        let shown = LocalFormat.zonedDateTime(expiry, .pl, timeZone: TimeZone(identifier: "Europe/Warsaw")!)
        #expect(browser.get("/profile").bodyText.contains(shown.htmlEscaped))
    }

    @Test(arguments: [
        ("", "read-write", "30", "profile_token_error_name"),
        (String(repeating: "x", count: 101), "read-write", "30", "profile_token_error_name"),
        ("ok", "read-write", "0", "profile_token_error_days"),
        ("ok", "read-write", "366", "profile_token_error_days"),
        ("ok", "read-write", "ten", "profile_token_error_days"),
        ("ok", "admin", "30", "profile_token_error_scope"),
    ])
    func badInputGetsTheFormBackAndStoresNothing(name: String, scope: String, days: String, message: String) throws {
        let world = try World()
        let browser = world.signedIn()
        let response = world.create(browser, name: name, scope: scope, days: days)
        #expect(response.status == .unprocessableContent)
        #expect(response.bodyText.contains(world.text(message)))
        #expect(world.shownToken(response.bodyText) == nil)
        #expect(try world.tokens().isEmpty)
    }

    @Test func theFormIsInTheReadersLanguage() throws {
        let test = try TestApp()
        try test.addAccount("it100-ovh", language: .it)
        let browser = test.browser()
        browser.signIn("it100-ovh")
        browser.get("/profile")
        let response = browser.post("/profile/tokens", [("name", ""), ("scope", "read-only"), ("days", "30"), ("password", TestApp.password)])
        #expect(response.bodyText.contains(test.app.catalog.string("profile_token_error_name", .it).htmlEscaped))
    }

    @Test func aWrongOrMissingPasswordStoresNothingAndCountsAsASignInFailure() throws {
        let world = try World()
        let browser = world.signedIn()
        let missing = world.create(browser, password: "")
        #expect(missing.status == .unprocessableContent)
        #expect(missing.bodyText.contains(world.text("profile_password_error_empty")))
        let wrong = world.create(browser, password: "not the password")
        #expect(wrong.status == .unprocessableContent)
        #expect(wrong.bodyText.contains(world.text("profile_password_error_wrong")))
        #expect(try world.tokens().isEmpty)
        // The failures count with the sign-in's: enough of them and the form waits too
        for _ in 0..<10 { world.create(browser, password: "still wrong") }
        let throttled = world.create(browser)
        #expect(throttled.status == .tooManyRequests)
        #expect(throttled.header("Retry-After") != nil)
        #expect(try world.tokens().isEmpty)
    }

    @Test func theTwentyFirstUsableTokenIsRefused() throws {
        let world = try World()
        for index in 0..<APITokenRules.maximumPerAccount {
            _ = try world.test.database.createAPIToken(
                for: world.owner, name: "t\(index)", scope: .readOnly, days: nil,
                digest: Secret.digest(APITokenSecret.generate()), now: world.test.clock.now)
        }
        let browser = world.signedIn()
        let response = world.create(browser)
        #expect(response.status == .unprocessableContent)
        #expect(response.bodyText.contains(world.text("profile_token_error_too_many")))
        #expect(try world.tokens().count == APITokenRules.maximumPerAccount)
    }

    @Test func onlyTheOwnerRevokesAndOnlyWithTheFormsToken() throws {
        let world = try World()
        try world.test.addAccount("pl200-ovh")
        let browser = world.signedIn()
        world.create(browser)
        let id = try #require(try world.tokens().first?.id)
        // Without the CSRF token: refused
        let forged = browser.post("/profile/tokens/\(id)/revoke", [("csrf", "forged")])
        #expect(forged.status == .forbidden)
        // Another account: not found, and the token still works
        let other = world.signedIn("pl200-ovh")
        #expect(other.post("/profile/tokens/\(id)/revoke", []).status == .notFound)
        #expect(try world.tokens().count == 1)
        // The owner: revoked, and the profile says so
        browser.get("/profile")
        let revoked = browser.post("/profile/tokens/\(id)/revoke", [])
        #expect(revoked.status == .seeOther)
        #expect(revoked.header("Location") == "/profile?notice=token-revoked")
        #expect(browser.get("/profile?notice=token-revoked").bodyText.contains(world.text("profile_token_revoked")))
        #expect(try world.tokens().isEmpty)
    }

    @Test func aTokensNameIsEscaped() throws {
        let world = try World()
        let browser = world.signedIn()
        #expect(world.create(browser, name: "<b>sync</b> & \"more\"").status == .ok)
        let page = browser.get("/profile").bodyText
        #expect(page.contains("&lt;b&gt;sync&lt;/b&gt; &amp; &quot;more&quot;"))
        #expect(!page.contains("<b>sync</b>"))
    }

    @Test func aTokenIsNoWayIntoThePages() throws {
        let world = try World()
        let browser = world.signedIn()
        let token = try #require(world.shownToken(world.create(browser).bodyText))
        let page = world.test.app.respond(to: HTTPRequest(method: "GET", target: "/profile", headers: ["authorization": "Bearer \(token)"]))
        #expect(page.status == .seeOther)
        #expect(page.header("Location")?.hasPrefix("/sign-in") == true)
    }
}
