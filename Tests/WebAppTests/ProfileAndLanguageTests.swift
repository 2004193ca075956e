import ContactsDomain
import Foundation
import HTTPCore
import Localization
import Testing
@testable import WebApp

@Suite struct ProfileTests {
    @Test func showsTheAccountAndSavesALanguageChange() throws {
        let test = try TestApp()
        let id = try test.addAccount("pl100-ovh", name: "Piotr", language: .pl)
        let browser = test.browser()
        browser.signIn("pl100-ovh")
        let page = browser.get("/profile")
        #expect(page.status == .ok)
        #expect(page.bodyText.contains("pl100-ovh@example.test"))
        #expect(page.bodyText.contains("name=\"password\" type=\"password\""))

        // The same address (spaces around it are no change) and a new language: no password
        let saved = browser.post("/profile", [("email", " pl100-ovh@example.test "), ("language", "it")])
        #expect(saved.status == .seeOther)
        #expect(saved.header("Location") == "/profile?notice=saved")
        let account = try #require(try test.database.account(id))
        #expect(account.email.rawValue == "pl100-ovh@example.test")
        #expect(account.language == .it)

        let after = browser.get("/profile?notice=saved")
        #expect(after.header("Content-Language") == "it")
        #expect(after.bodyText.contains(test.app.text("profile_saved", .it)))
    }

    @Test func anInvalidEmailComesBackWithTheTypedValueAndNothingStored() throws {
        let test = try TestApp()
        let id = try test.addAccount("pl100-ovh")
        let browser = test.browser()
        browser.signIn("pl100-ovh")
        browser.get("/profile")
        let response = browser.post("/profile", [("email", "not an email\"><script>"), ("language", "pt")])
        #expect(response.status == .unprocessableContent)
        #expect(response.bodyText.contains(test.app.text("email_error_malformed", .pl)))
        #expect(response.bodyText.contains("value=\"not an email&quot;&gt;&lt;script&gt;\""))
        let account = try #require(try test.database.account(id))
        #expect(account.email.rawValue == "pl100-ovh@example.test")
        #expect(account.language == .pl)
    }

    @Test func headerInjectionInTheEmailIsRefused() throws {
        let test = try TestApp()
        let id = try test.addAccount("pl100-ovh")
        let browser = test.browser()
        browser.signIn("pl100-ovh")
        browser.get("/profile")
        #expect(browser.post("/profile", [("email", "a@example.com\r\nBcc: x@evil.example"), ("language", "pl")]).status == .unprocessableContent)
        #expect(try test.database.account(id)?.email.rawValue == "pl100-ovh@example.test")
    }

    @Test func anUnknownLanguageIsRefused() throws {
        let test = try TestApp()
        try test.addAccount("pl100-ovh")
        let browser = test.browser()
        browser.signIn("pl100-ovh")
        browser.get("/profile")
        let response = browser.post("/profile", [("email", "a@example.com"), ("language", "en")])
        #expect(response.status == .unprocessableContent)
        #expect(response.bodyText.contains(test.app.text("language_error_invalid", .pl)))
    }
}

@Suite struct LanguageTests {
    @Test func theDefaultLanguageAppliesWithoutAnyHint() throws {
        let test = try TestApp(defaultLanguage: .it)
        let response = test.browser().get("/sign-in")
        #expect(response.header("Content-Language") == "it")
        #expect(response.header("Vary")?.contains("Accept-Language") == true)
        #expect(response.bodyText.contains("<html lang=\"it\">"))
    }

    @Test func acceptLanguageBeatsTheDefault() throws {
        let test = try TestApp(defaultLanguage: .pl)
        let browser = test.browser()
        browser.acceptLanguage = "en-US,en;q=0.9,pt-PT;q=0.8,it;q=0.5"
        let response = browser.get("/sign-in")
        #expect(response.header("Content-Language") == "pt-PT")
        #expect(response.bodyText.contains(test.app.text("signin_title", .pt)))
    }

    @Test func theAccountPreferenceBeatsAcceptLanguage() throws {
        let test = try TestApp()
        try test.addAccount("it300-ovh", language: .it)
        let browser = test.browser()
        browser.acceptLanguage = "pt"
        browser.signIn("it300-ovh")
        #expect(browser.get("/contacts").header("Content-Language") == "it")
    }

    @Test func theSwitcherBeatsEverythingAndReturnsToThePage() throws {
        let test = try TestApp()
        try test.addAccount("it300-ovh", language: .it)
        let browser = test.browser()
        browser.signIn("it300-ovh")
        let switched = browser.get("/language?set=pt&back=%2Fcontacts%3Frole%3Dadmin")
        #expect(switched.status == .seeOther)
        #expect(switched.header("Location") == "/contacts?role=admin")
        let page = browser.get("/contacts?role=admin")
        #expect(page.header("Content-Language") == "pt-PT")
        #expect(page.bodyText.contains(test.app.text("contacts_title", .pt)))
        // Every page links to the other languages, coming back to the same address.
        #expect(page.bodyText.contains("/language?set=it&amp;back=%2Fcontacts%3Frole%3Dadmin"))
    }

    @Test func theSwitcherRefusesUnknownLanguagesAndOffSiteReturns() throws {
        let test = try TestApp()
        let browser = test.browser()
        #expect(browser.get("/language?set=en").status == .badRequest)
        #expect(browser.get("/language?set=it&back=https://evil.example").header("Location") == "/")
        #expect(browser.get("/language?set=it&back=//evil.example").header("Location") == "/")
    }

    @Test(arguments: Language.allCases)
    func everyPageRendersInEveryLanguage(_ language: Language) throws {
        let test = try TestApp()
        try test.addAccount("aa100-ovh")
        let browser = test.browser()
        browser.signIn("aa100-ovh")
        browser.get("/language?set=\(language.rawValue)&back=/")
        for target in ["/contacts", "/profile", "/nowhere"] {
            let page = browser.get(target).bodyText
            #expect(page.contains("<html lang=\"\(language.tag)\">"))
            #expect(page.contains(test.app.text("nav_contacts", language)))
            #expect(!page.contains("{{"))
        }
    }
}

@Suite struct ErrorPageTests {
    @Test func unknownRoutesGetALocalizedNotFoundPage() throws {
        let test = try TestApp(defaultLanguage: .pt)
        let response = test.browser().get("/no/such/page")
        #expect(response.status == .notFound)
        #expect(response.bodyText.contains(test.app.text("error_404", .pt)))
    }

    @Test func brokenEncodingIsABadRequest() throws {
        let test = try TestApp()
        for target in ["/contacts%ZZ", "/contacts?q=%C3%28", "/sign-in%00", "/sign-in?x=%"] {
            let response = test.browser().get(target)
            #expect(response.status == .badRequest, "\(target)")
            #expect(response.bodyText.contains(test.app.text("error_400", .pl)))
        }
    }

    @Test func aWrongMethodGets405WithTheAllowedOnes() throws {
        let test = try TestApp()
        let response = test.browser().send(HTTPRequest(method: "DELETE", target: "/profile"))
        #expect(response.status == .methodNotAllowed)
        #expect(response.header("Allow") == "GET, POST, HEAD")
        #expect(test.browser().send(HTTPRequest(method: "POST", target: "/contacts")).status == .methodNotAllowed)
    }

    @Test func headAnswersLikeGetWithoutABody() throws {
        let test = try TestApp()
        let response = test.browser().send(HTTPRequest(method: "HEAD", target: "/sign-in"))
        #expect(response.status == .ok)
        #expect(response.body.isEmpty)
    }

    @Test func oversizedFieldsAre413AndTooManyFields400() throws {
        let test = try TestApp()
        let huge = test.browser().get("/contacts?q=" + String(repeating: "x", count: 5000))
        #expect(huge.status == .payloadTooLarge)
        #expect(huge.bodyText.contains(test.app.text("error_413", .pl)))
        let many = (0...300).map { "f\($0)=1" }.joined(separator: "&")
        #expect(test.browser().get("/contacts?\(many)").status == .badRequest)
    }

    @Test func dynamicPagesAreNeverCached() throws {
        let test = try TestApp()
        #expect(test.browser().get("/sign-in").header("Cache-Control") == "no-store")
        #expect(test.browser().get("/nowhere").header("Cache-Control") == "no-store")
    }
}

@Suite struct UnreadableRequestTests {
    @Test func framingErrorsGetALocalizedPageInTheVisitorsLanguage() throws {
        let test = try TestApp()
        let tooLarge = test.app.respondToUnreadableRequest(.payloadTooLarge, headers: ["accept-language": "it-IT,it;q=0.9"])
        #expect(tooLarge.status == .payloadTooLarge)
        #expect(tooLarge.bodyText.contains(test.app.text("error_413", .it)))
        #expect(tooLarge.header("Content-Language") == nil || tooLarge.header("Content-Language") == "it")
        let malformed = test.app.respondToUnreadableRequest(.badRequest, headers: [:])
        #expect(malformed.status == .badRequest)
        #expect(malformed.bodyText.contains(test.app.text("error_400", .pl)))
    }
}
