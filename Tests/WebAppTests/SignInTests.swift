import ContactsDomain
import Credentials
import Foundation
import HTTPCore
import Testing
@testable import WebApp

extension Application {
    /// A catalog string as it appears in a page: HTML-escaped like every template output.
    func text(_ key: String, _ language: Language) -> String {
        catalog.string(key, language).htmlEscaped
    }
}

extension String {
    var htmlEscaped: String {
        var output = ""
        for character in self {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }
}

@Suite struct SignInTests {
    @Test func anonymousVisitorsAreSentToSignIn() throws {
        let test = try TestApp()
        let browser = test.browser()
        #expect(browser.get("/").header("Location") == "/sign-in")
        let contacts = browser.get("/contacts?role=admin")
        #expect(contacts.status == .seeOther)
        #expect(contacts.header("Location") == "/sign-in?next=%2Fcontacts%3Frole%3Dadmin")
    }

    @Test func theSignInFormCarriesACSRFTokenAndASessionCookie() throws {
        let test = try TestApp()
        let browser = test.browser()
        let page = browser.get("/sign-in")
        #expect(page.status == .ok)
        #expect(page.bodyText.contains("<html lang=\"pl\">"))
        #expect(browser.csrfToken?.isEmpty == false)
        let cookie = try #require(page.headerValues("Set-Cookie").first { $0.hasPrefix("sc_session=") })
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
    }

    @Test func signingInWorksInAnyCaseWithSpacesAndRotatesTheSession() throws {
        let test = try TestApp()
        try test.addAccount("aa123-ovh", name: "Anna")
        let browser = test.browser()
        browser.get("/sign-in")
        let anonymousSecret = try #require(browser.cookies["sc_session"])
        let response = browser.post("/sign-in", [("customer_id", "  AA123-OVH "), ("password", TestApp.password)])
        #expect(response.status == .seeOther)
        #expect(response.header("Location") == "/contacts")
        let signedInSecret = try #require(browser.cookies["sc_session"])
        #expect(signedInSecret != anonymousSecret)
        // The store keeps only the digest of the secret.
        #expect(try test.database.session(digest: Secret.digest(signedInSecret))?.account.rawValue == "aa123-ovh")
        #expect(try test.database.session(digest: signedInSecret) == nil)
        #expect(browser.get("/contacts").status == .ok)
    }

    @Test func signingInReturnsToTheRequestedPageButNeverOffSite() throws {
        let test = try TestApp()
        try test.addAccount("aa123-ovh")
        let browser = test.browser()
        browser.get("/sign-in?next=%2Fprofile")
        #expect(browser.post("/sign-in", [("customer_id", "aa123-ovh"), ("password", TestApp.password), ("next", "/profile")]).header("Location") == "/profile")

        let other = test.browser()
        other.get("/sign-in")
        #expect(other.post("/sign-in", [("customer_id", "aa123-ovh"), ("password", TestApp.password), ("next", "//evil.example/x")]).header("Location") == "/contacts")
    }

    @Test func aWrongPasswordAndAnUnknownIDGetTheSameAnswer() throws {
        let test = try TestApp()
        try test.addAccount("aa123-ovh")
        let message = test.app.text("signin_error_invalid", .pl)

        let wrongPassword = test.browser().signIn("aa123-ovh", password: "nope")
        let unknownID = test.browser().signIn("zz999-ovh", password: "nope")
        for response in [wrongPassword, unknownID] {
            #expect(response.status == .unprocessableContent)
            #expect(response.bodyText.contains(message))
            #expect(!response.bodyText.contains("nope"))
        }
        #expect(wrongPassword.bodyText.contains("value=\"aa123-ovh\""))
    }

    @Test func aMalformedIDIsExplainedNextToTheFieldAndKept() throws {
        let test = try TestApp()
        let response = test.browser().signIn("<b>x</b>", password: "whatever")
        #expect(response.status == .unprocessableContent)
        #expect(response.bodyText.contains(test.app.text("customer_id_error_malformed", .pl)))
        #expect(response.bodyText.contains("value=\"&lt;b&gt;x&lt;/b&gt;\""))
        #expect(!response.bodyText.contains("<b>x</b>"))
    }

    @Test func repeatedFailuresAreSlowedDownThenAllowedAgain() throws {
        let test = try TestApp()
        try test.addAccount("aa123-ovh")
        let browser = test.browser()
        for _ in 0..<SignInThrottle().freeFailuresPerAccount {
            #expect(browser.signIn("aa123-ovh", password: "wrong").status == .unprocessableContent)
        }
        let throttled = browser.signIn("aa123-ovh")
        #expect(throttled.status == .tooManyRequests)
        #expect(throttled.header("Retry-After") == "15")
        #expect(browser.cookies["sc_session"].map { try? test.database.session(digest: Secret.digest($0)) } ?? nil == nil)

        // Another client at the same address is slowed down for this ID too; one elsewhere is not.
        #expect(test.browser().signIn("aa123-ovh").status == .tooManyRequests)
        #expect(test.browser(from: "198.51.100.20").signIn("aa123-ovh").status == .seeOther)

        test.clock.advance(by: 16)
        #expect(browser.signIn("aa123-ovh").status == .seeOther)
    }

    @Test func aPostWithoutAValidCSRFTokenIsRefusedAndChangesNothing() throws {
        let test = try TestApp()
        try test.addAccount("aa123-ovh")
        let browser = test.browser()
        browser.get("/sign-in")
        let missing = browser.post("/sign-in", [("customer_id", "aa123-ovh"), ("password", TestApp.password), ("csrf", "")])
        #expect(missing.status == .forbidden)
        #expect(missing.bodyText.contains(test.app.text("error_403_csrf", .pl)))

        let otherVisitor = test.browser()
        otherVisitor.get("/sign-in")
        let foreignToken = try #require(otherVisitor.csrfToken)
        #expect(browser.post("/sign-in", [("customer_id", "aa123-ovh"), ("password", TestApp.password)], csrf: foreignToken).status == .forbidden)

        let crossSite = browser.post("/sign-in", [("customer_id", "aa123-ovh"), ("password", TestApp.password)], headers: ["sec-fetch-site": "cross-site"])
        #expect(crossSite.status == .forbidden)
        #expect(browser.get("/contacts").status == .seeOther)
    }

    @Test func signingOutEndsTheSessionOnTheServer() throws {
        let test = try TestApp()
        try test.addAccount("aa123-ovh")
        let browser = test.browser()
        browser.signIn("aa123-ovh")
        browser.get("/contacts")
        let secret = try #require(browser.cookies["sc_session"])
        let response = browser.post("/sign-out", [])
        #expect(response.header("Location") == "/sign-in?notice=signed-out")
        #expect(try test.database.session(digest: Secret.digest(secret)) == nil)

        // The old cookie, replayed, no longer signs anybody in.
        let replay = test.browser()
        replay.cookies["sc_session"] = secret
        #expect(replay.get("/contacts").status == .seeOther)
    }

    @Test func sessionsEndAfterIdleAndAbsoluteTimeouts() throws {
        let test = try TestApp()
        try test.addAccount("aa123-ovh")
        let idle = test.browser()
        idle.signIn("aa123-ovh")
        test.clock.advance(by: 29 * 60)
        #expect(idle.get("/contacts").status == .ok)
        test.clock.advance(by: 31 * 60)
        #expect(idle.get("/contacts").status == .seeOther)

        let busy = test.browser()
        busy.signIn("aa123-ovh")
        for _ in 0..<25 {
            test.clock.advance(by: 29 * 60)
            _ = busy.get("/contacts")
        }
        #expect(busy.get("/contacts").status == .seeOther)
    }

    @Test func forgedOrJunkSessionCookiesAreIgnored() throws {
        let test = try TestApp()
        let browser = test.browser()
        for junk in ["x", String(repeating: "A", count: 43), "%00%ff", String(repeating: "z", count: 5000)] {
            browser.cookies = ["sc_session": junk]
            let response = browser.get("/contacts")
            #expect(response.status == .seeOther)
        }
    }
}
