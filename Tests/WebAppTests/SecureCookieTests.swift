import ContactsDomain
import HTTPCore
import Testing
@testable import WebApp

/// Over HTTPS (`--secure-cookies`): the session cookie takes the `__Host-` prefix and every
/// response carries HSTS; over plain HTTP (the demo) neither.
@Suite struct SecureCookieTests {
    @Test func theSessionCookieTakesTheHostPrefixWhenSecure() throws {
        let test = try TestApp(secureCookies: true)
        try test.addAccount("aa123-ovh")
        let browser = test.browser()
        let anonymous = try #require(browser.get("/sign-in").headerValues("Set-Cookie").first)
        let signedIn = try #require(browser.post("/sign-in", [("customer_id", "aa123-ovh"), ("password", TestApp.password)])
            .headerValues("Set-Cookie").first { $0.hasPrefix("__Host-") })
        for cookie in [anonymous, signedIn] {
            let attributes = cookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(attributes[0].hasPrefix("__Host-sc_session="), "\(cookie)")
            #expect(attributes.contains("Path=/") && attributes.contains("Secure"), "\(cookie)")
            #expect(!attributes.contains { $0.lowercased().hasPrefix("domain=") }, "\(cookie)")
        }
        // The prefixed cookie is the one that signs in; the plain name is ignored.
        #expect(browser.get("/contacts").status == .ok)
        let secret = try #require(browser.cookies["__Host-sc_session"])
        let plain = test.app.respond(to: HTTPRequest(method: "GET", target: "/contacts", headers: ["cookie": "sc_session=\(secret)"]))
        #expect(plain.status == .seeOther, "an unprefixed cookie could have been planted over plain HTTP")
    }

    @Test func plainHTTPKeepsTheUnprefixedName() throws {
        let cookie = try #require(try TestApp().browser().get("/sign-in").headerValues("Set-Cookie").first)
        #expect(cookie.hasPrefix("sc_session="))
    }

    @Test func hstsOnEveryResponseWhenCookiesAreSecureAndNeverOtherwise() throws {
        let secure = try TestApp(secureCookies: true)
        let plain = try TestApp()
        for request in [
            HTTPRequest(method: "GET", target: "/sign-in"), HTTPRequest(method: "GET", target: "/nowhere"),
            HTTPRequest(method: "POST", target: "/sign-in"), HTTPRequest(method: "GET", target: "/contacts%ZZ"),
        ] {
            #expect(secure.app.respond(to: request).headerValues("Strict-Transport-Security") == ["max-age=31536000"],
                    "\(request.method) \(request.rawPath)")
            #expect(plain.app.respond(to: request).headerValues("Strict-Transport-Security").isEmpty)
        }
        #expect(secure.app.respondToUnreadableRequest(.payloadTooLarge, headers: [:]).headerValues("Strict-Transport-Security")
            == ["max-age=31536000"])
        #expect(plain.app.respondToUnreadableRequest(.badRequest, headers: [:]).headerValues("Strict-Transport-Security").isEmpty)
    }
}
