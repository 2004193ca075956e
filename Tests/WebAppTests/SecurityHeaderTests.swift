import ContactsDomain
import ContactsStore
import Foundation
import HTTPCore
import Testing
@testable import WebApp

/// What the app itself puts on responses (nginx adds CSP, nosniff, frame options: see the
/// end-to-end SecurityTests).
@Suite struct SecurityHeaderTests {
    @Test func cookiesAreSecureWhenConfiguredAndAlwaysHttpOnlyAndLax() throws {
        let database = try AppDatabase.temporary()
        let app = try Application(
            configuration: AppConfiguration(
                databaseLocation: "unused", templatesDirectory: TestApp.packageRoot.appendingPathComponent("Templates").path,
                publicBaseURL: "https://contacts.example.test", secureCookies: true),
            database: database, clock: { Date() })
        let session = try #require(app.respond(to: HTTPRequest(method: "GET", target: "/sign-in")).headerValues("Set-Cookie").first)
        let language = try #require(app.respond(to: HTTPRequest(method: "GET", target: "/language?set=pt&back=/")).headerValues("Set-Cookie")
            .first { $0.hasPrefix("sc_lang=") })
        for cookie in [session, language] {
            #expect(cookie.contains("; Secure") && cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Lax"), "\(cookie)")
        }
        #expect(!session.contains("Max-Age"))
        let plain = try TestApp().browser().get("/sign-in").headerValues("Set-Cookie").first ?? ""
        #expect(!plain.contains("Secure"), "off unless configured: the demo runs over plain HTTP")
    }

    @Test func theRequestPageSaysNoReferrerAlsoWhenItShowsAnError() throws {
        let world = try ContactChangeTests.World()
        let (admin, id, _, _) = try world.askForNewTechnicalContact()
        admin.get("/requests/\(id)")
        let wrong = admin.post("/requests/\(id)/accept", [("code", "wrong")])
        #expect(wrong.status == .unprocessableContent)
        #expect(wrong.headerValues("Referrer-Policy") == ["no-referrer"])
        #expect(wrong.header("Cache-Control") == "no-store")
    }

    @Test func everyAppResponseIsUncachedAndSaysItsLanguage() throws {
        let test = try TestApp(defaultLanguage: .pt)
        for request in [
            HTTPRequest(method: "GET", target: "/sign-in"), HTTPRequest(method: "GET", target: "/nowhere"),
            HTTPRequest(method: "GET", target: "/contacts%ZZ"), HTTPRequest(method: "DELETE", target: "/profile"),
            HTTPRequest(method: "POST", target: "/sign-in"), HTTPRequest(method: "GET", target: "/"),
        ] {
            let response = test.app.respond(to: request)
            #expect(response.headerValues("Cache-Control") == ["no-store"], "\(request.method) \(request.rawPath)")
            #expect(response.header("Content-Language") == "pt-PT")
            if response.status.code >= 400 {
                #expect(response.header("Content-Type") == "text/html; charset=utf-8")
            }
        }
    }
}
