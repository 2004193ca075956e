import ContactsDomain
import ContactsStore
import Foundation
import HTTPCore
import Localization
import Testing
@testable import WebApp

/// The service page and the update of the owner's details through the router: every role,
/// every error, the preview, the stale preview, the link to a new address, CSRF on every POST.
@Suite struct OwnerPageTests {
    struct World {
        let test = try! TestApp()
        let serviceID: Int64

        init(country: Country = .poland) throws {
            try test.addAccount("pl100-ovh", name: "Katarzyna Nowak", language: .pl)
            try test.addAccount("pt200-ovh", name: "João Carvalho", language: .pt)
            try test.addAccount("it300-ovh", name: "Giulia Bianchi", language: .it)
            try test.addAccount("pl999-ovh", name: "Obcy Ktoś", language: .pl)
            serviceID = try test.database.addService(
                name: "sklep.pl", type: .domain, administrative: CustomerID(trusted: "pl100-ovh"),
                technical: CustomerID(trusted: "pt200-ovh"), billing: CustomerID(trusted: "it300-ovh"))
            let contact: OwnerContactDetails = switch country {
            case .poland: OwnerContactDetails(
                street: "ul. Długa 45", postalCode: PostalCode(trusted: "80-827"), city: "Gdańsk", country: .poland,
                phone: PhoneNumber(trusted: "+48601234567"), email: EmailAddress(trusted: "anna@example.pl"))
            case .portugal: OwnerContactDetails(
                street: "Rua Augusta 25", postalCode: PostalCode(trusted: "1100-048"), city: "Lisboa", country: .portugal,
                phone: PhoneNumber(trusted: "+351912345678"), email: EmailAddress(trusted: "anna@example.pl"))
            case .italy: OwnerContactDetails(
                street: "Via del Corso 101", postalCode: PostalCode(trusted: "00186"), city: "Roma", country: .italy,
                phone: PhoneNumber(trusted: "+390612345678"), email: EmailAddress(trusted: "anna@example.pl"))
            }
            try test.database.setOwner(OwnerDetails(name: "Anna Kowalska", organisation: "Sklep sp. z o.o.", contact: contact),
                                       ofService: serviceID, now: test.clock.now)
        }

        func signedIn(_ id: String) -> Browser {
            let browser = test.browser()
            browser.signIn(id)
            return browser
        }

        var owner: StoredOwner? { try? test.database.owner(ofService: serviceID, now: test.clock.now) }

        func outbox() throws -> [OutgoingEmail] {
            try test.database.pendingEmails(now: test.clock.now.addingTimeInterval(3600), limit: 1000).map(\.email)
        }

        func text(_ key: String, _ language: Language = .pl) -> String {
            HTMLEscaping.escape(test.app.catalog.string(key, language))
        }

        var form: [(String, String)] {
            [("owner_street", "ul. Floriańska 15"), ("owner_postal_code", "31019"), ("owner_city", "Kraków"),
             ("owner_phone", "+48 22 628 12 34"), ("owner_email", "anna@example.pl")]
        }

        func with(_ name: String, _ value: String) -> [(String, String)] {
            form.map { $0.0 == name ? (name, value) : $0 }
        }

        /// Previews `fields`, then saves what the preview carries.
        @discardableResult
        func previewAndSave(_ browser: Browser, _ fields: [(String, String)]) -> HTTPResponse {
            browser.get("/services/\(serviceID)/owner")
            browser.post("/services/\(serviceID)/owner", fields)
            return save(browser)
        }

        /// Posts the preview's hidden fields to the save address, with the password when the
        /// preview asks for it.
        @discardableResult
        func save(_ browser: Browser, password: String? = TestApp.password) -> HTTPResponse {
            let page = browser.lastPage
            let names = ["revision"] + OwnerField.allCases.map { "owner_\($0.rawValue)" }
            var fields = names.map { ($0, unescape(page.firstValue(ofField: $0) ?? "")) }
            if let password, page.contains("name=\"password\"") { fields.append(("password", password)) }
            return browser.post("/services/\(serviceID)/owner/save", fields)
        }
    }

    // MARK: Who sees what

    @Test func theAdministrativeContactSeesTheDetailsAndTheUpdateLink() throws {
        let world = try World()
        let browser = world.signedIn("pl100-ovh")
        let page = browser.get("/services/\(world.serviceID)")
        #expect(page.status == .ok)
        #expect(page.bodyText.contains("ul. Długa 45"))
        #expect(page.bodyText.contains("+48601234567"))
        #expect(page.bodyText.contains("Sklep sp. z o.o."))
        #expect(page.bodyText.contains("/services/\(world.serviceID)/owner\""))
        #expect(page.bodyText.contains(world.text("owner_update_button")))
    }

    @Test(arguments: ["pt200-ovh", "it300-ovh"])
    func technicalAndBillingContactsSeeTheDetailsWithoutTheForm(_ id: String) throws {
        let world = try World()
        let browser = world.signedIn(id)
        let page = browser.get("/services/\(world.serviceID)")
        #expect(page.status == .ok)
        #expect(page.bodyText.contains("ul. Długa 45"))
        #expect(!page.bodyText.contains("/services/\(world.serviceID)/owner\""))
        let language: Language = id.hasPrefix("pt") ? .pt : .it
        #expect(page.bodyText.contains(world.text("owner_readonly_note", language)))
        // And the server refuses the form and both POSTs, whatever they carry
        #expect(browser.get("/services/\(world.serviceID)/owner").status == .forbidden)
        let preview = browser.post("/services/\(world.serviceID)/owner", world.form)
        #expect(preview.status == .forbidden)
        #expect(preview.bodyText.contains(world.text("owner_not_allowed", language)))
        var fields = world.form
        fields.append(("revision", "\(world.owner!.revision)"))
        #expect(browser.post("/services/\(world.serviceID)/owner/save", fields).status == .forbidden)
        #expect(world.owner?.details.contact.city == "Gdańsk")
        #expect(try world.outbox().isEmpty)
    }

    @Test func anybodyElseGetsNotFoundAndAVisitorSignsInFirst() throws {
        let world = try World()
        let stranger = world.signedIn("pl999-ovh")
        #expect(stranger.get("/services/\(world.serviceID)").status == .notFound)
        #expect(stranger.get("/services/\(world.serviceID)/owner").status == .notFound)
        #expect(stranger.get("/services/999999").status == .notFound)
        stranger.get("/contacts")
        #expect(stranger.post("/services/\(world.serviceID)/owner", world.form).status == .notFound)
        let visitor = world.test.browser()
        #expect(visitor.get("/services/\(world.serviceID)").status == .seeOther)
    }

    @Test func theContactsTableLinksToTheServicePage() throws {
        let world = try World()
        let page = world.signedIn("pt200-ovh").get("/contacts")
        #expect(page.bodyText.contains("<a href=\"/services/\(world.serviceID)\">sklep.pl</a>"))
    }

    // MARK: The form, the preview, the save

    @Test func thePreviewShowsOldAgainstNewAndSavesNothing() throws {
        let world = try World()
        let browser = world.signedIn("pl100-ovh")
        browser.get("/services/\(world.serviceID)/owner")
        let preview = browser.post("/services/\(world.serviceID)/owner", world.form)
        #expect(preview.status == .ok)
        #expect(preview.bodyText.contains("ul. Długa 45"))
        #expect(preview.bodyText.contains("ul. Floriańska 15"))
        #expect(preview.bodyText.contains("31-019"))
        #expect(preview.bodyText.contains("+48226281234"))
        #expect(world.owner?.details.contact.city == "Gdańsk")
        #expect(try world.outbox().isEmpty)
    }

    @Test func savingAppliesRecordsAndTellsEveryoneInTheirLanguage() throws {
        let world = try World(country: .portugal)
        let browser = world.signedIn("pl100-ovh")
        let fields = [("owner_street", "Rua de Santa Catarina 112"), ("owner_postal_code", "4000-442"), ("owner_city", "Porto"),
                      ("owner_phone", "912 345 679"), ("owner_email", "anna@example.pl")]
        let saved = world.previewAndSave(browser, fields)
        #expect(saved.status == .seeOther)
        #expect(saved.header("Location") == "/services/\(world.serviceID)?notice=owner-saved")
        #expect(world.owner?.details.contact.city == "Porto")
        #expect(world.owner?.details.contact.phone.rawValue == "+351912345679")
        let page = browser.get("/services/\(world.serviceID)?notice=owner-saved")
        #expect(page.bodyText.contains(world.text("owner_saved")))
        #expect(page.bodyText.contains("pl100-ovh"))
        // The owner (a Portuguese service: in Portuguese) and each contact in its own language
        let emails = try world.outbox()
        #expect(emails.map(\.toAddress) == ["anna@example.pl", "pl100-ovh@example.test", "pt200-ovh@example.test", "it300-ovh@example.test"])
        #expect(emails.map(\.language) == [.pt, .pl, .pt, .it])
        #expect(emails[0].subject == world.test.app.catalog.string("owner_email_updated_subject", .pt, .string("sklep.pl")))
        #expect(emails[0].bodyText.contains("Lisboa → Porto"))
    }

    @Test func aNewEmailWaitsForItsLinkAndTheLinkWorksOnceWithAButton() throws {
        let world = try World()
        let browser = world.signedIn("pl100-ovh")
        world.previewAndSave(browser, world.with("owner_email", "nowa@example.pl"))
        #expect(world.owner?.details.contact.email.rawValue == "anna@example.pl")
        #expect(world.owner?.pendingEmail?.rawValue == "nowa@example.pl")
        // The notice goes to the previous address, the link only to the new one
        let emails = try world.outbox()
        #expect(emails.first?.toAddress == "anna@example.pl")
        let linkEmail = try #require(emails.last)
        #expect(linkEmail.toAddress == "nowa@example.pl")
        let body = linkEmail.bodyText
        let start = try #require(body.range(of: "https://contacts.example.test"))
        let link = String(body[start.upperBound...].prefix { !$0.isWhitespace })
        #expect(link.hasPrefix("/owner-email/confirm?token="))
        let token = String(link.split(separator: "=").last!)
        #expect(token.count >= 43)
        // Whoever opens it (no sign-in needed) gets a button; the GET changes nothing
        let owner = world.test.browser()
        let page = owner.get(link)
        #expect(page.status == .ok)
        #expect(page.header("Referrer-Policy") == "no-referrer")
        #expect(page.bodyText.contains("nowa@example.pl"))
        #expect(world.owner?.details.contact.email.rawValue == "anna@example.pl")
        // Without the form's token the POST is refused
        #expect(owner.post("/owner-email/confirm", [("token", token)], csrf: "forged").status == .forbidden)
        // The button confirms once
        owner.get(link)
        let csrf = try #require(owner.csrfToken)
        let done = owner.post("/owner-email/confirm", [("token", token)])
        #expect(done.status == .ok)
        #expect(world.owner?.details.contact.email.rawValue == "nowa@example.pl")
        #expect(owner.post("/owner-email/confirm", [("token", token)], csrf: csrf).status == .conflict)
        #expect(owner.get(link).bodyText.contains(world.text("owner_link_error_used")))
        #expect(owner.get("/owner-email/confirm?token=nonsense").status == .notFound)
    }

    @Test func aNewEmailTakesThePasswordAgain() throws {
        let world = try World()
        let browser = world.signedIn("pl100-ovh")
        browser.get("/services/\(world.serviceID)/owner")
        let preview = browser.post("/services/\(world.serviceID)/owner", world.with("owner_email", "nowa@example.pl"))
        #expect(preview.bodyText.contains("name=\"password\""))
        // No password, then a wrong one: the preview again with the reason, nothing saved
        let missing = world.save(browser, password: nil)
        #expect(missing.status == .unprocessableContent)
        #expect(missing.bodyText.contains(world.text("profile_password_error_empty")))
        let wrong = world.save(browser, password: "not the password")
        #expect(wrong.status == .unprocessableContent)
        #expect(wrong.bodyText.contains(world.text("profile_password_error_wrong")))
        #expect(world.owner?.pendingEmail == nil)
        #expect(world.owner?.details.contact.city == "Gdańsk")
        #expect(try world.outbox().isEmpty)
        // The right one saves
        #expect(world.save(browser).status == .seeOther)
        #expect(world.owner?.pendingEmail?.rawValue == "nowa@example.pl")
    }

    @Test func otherFieldsNeedNoPassword() throws {
        let world = try World()
        let browser = world.signedIn("pl100-ovh")
        browser.get("/services/\(world.serviceID)/owner")
        let preview = browser.post("/services/\(world.serviceID)/owner", world.form)
        #expect(!preview.bodyText.contains("name=\"password\""))
        #expect(world.save(browser, password: nil).status == .seeOther)
    }

    @Test func anExpiredLinkDoesNothing() throws {
        let world = try World()
        let browser = world.signedIn("pl100-ovh")
        world.previewAndSave(browser, world.with("owner_email", "nowa@example.pl"))
        let body = try #require(try world.outbox().last?.bodyText)
        let token = String(body.split(separator: "=")[1].prefix { !$0.isWhitespace })
        world.test.clock.advance(by: 24 * 3600)
        let owner = world.test.browser()
        #expect(owner.get("/owner-email/confirm?token=\(token)").status == .conflict)
        owner.get("/sign-in")
        #expect(owner.post("/owner-email/confirm", [("token", token)]).status == .conflict)
        #expect(world.owner?.details.contact.email.rawValue == "anna@example.pl")
    }

    @Test func aStalePreviewIsShownAgainNotApplied() throws {
        let world = try World()
        let browser = world.signedIn("pl100-ovh")
        browser.get("/services/\(world.serviceID)/owner")
        browser.post("/services/\(world.serviceID)/owner", world.form)
        // Meanwhile the details change
        var changed = try #require(world.owner).details
        changed.contact.street = "ul. Nowa 1"
        try world.test.database.setOwner(changed, ofService: world.serviceID, now: world.test.clock.now)
        let response = world.save(browser)
        #expect(response.status == .conflict)
        #expect(response.bodyText.contains(world.text("owner_stale")))
        #expect(response.bodyText.contains("ul. Nowa 1"))
        #expect(world.owner?.details.contact.street == "ul. Nowa 1")
        // Saving the preview shown again works
        #expect(world.save(browser).status == .seeOther)
        #expect(world.owner?.details.contact.street == "ul. Floriańska 15")
    }

    @Test(arguments: [
        ("owner_postal_code", "3101", "owner_error_postal_code_pl"),
        ("owner_postal_code", "31–019", "owner_error_postal_code_pl"),
        ("owner_phone", "601 234 56", "owner_error_phone_pl"),
        ("owner_phone", "６０１ ２３４ ５６７", "owner_error_phone_pl"),
        ("owner_city", "Kra\u{200B}ków", "owner_error_characters"),
        ("owner_street", "", "owner_error_empty"),
        ("owner_street", String(repeating: "x", count: 201), "owner_error_too_long"),
        ("owner_email", "anna@", "email_error_malformed"),
    ])
    func badInputGetsItsMessageAndTheFormBack(field: String, value: String, key: String) throws {
        let world = try World()
        let browser = world.signedIn("pl100-ovh")
        browser.get("/services/\(world.serviceID)/owner")
        let response = browser.post("/services/\(world.serviceID)/owner", world.with(field, value))
        #expect(response.status == .unprocessableContent)
        #expect(response.bodyText.contains(world.text(key)))
        #expect(response.bodyText.contains("value=\"\(HTMLEscaping.escape(value))\""))
        #expect(response.bodyText.contains("value=\"ul. Floriańska 15\"") || field == "owner_street")
        #expect(world.owner?.details.contact.city == "Gdańsk")
    }

    @Test func aTamperedSaveIsValidatedAgain() throws {
        let world = try World()
        let browser = world.signedIn("pl100-ovh")
        browser.get("/services/\(world.serviceID)/owner")
        let response = browser.post("/services/\(world.serviceID)/owner/save", world.with("owner_phone", "+48 1") + [("revision", "1")])
        #expect(response.status == .unprocessableContent)
        #expect(browser.post("/services/\(world.serviceID)/owner/save", world.form + [("revision", "x")]).status == .badRequest)
        #expect(world.owner?.details.contact.city == "Gdańsk")
    }

    @Test func theSameDetailsAreNothingToSave() throws {
        let world = try World()
        let browser = world.signedIn("pl100-ovh")
        browser.get("/services/\(world.serviceID)/owner")
        let same = [("owner_street", "ul. Długa 45"), ("owner_postal_code", "80-827"), ("owner_city", "Gdańsk"),
                    ("owner_phone", "601 234 567"), ("owner_email", "anna@example.pl")]
        let response = browser.post("/services/\(world.serviceID)/owner", same)
        #expect(response.status == .unprocessableContent)
        #expect(response.bodyText.contains(world.text("owner_no_change")))
    }

    @Test func markupIsEscapedEverywhere() throws {
        let world = try World()
        let browser = world.signedIn("pl100-ovh")
        let fields = world.with("owner_street", "<script>alert(1)</script> & \"x\"")
        browser.get("/services/\(world.serviceID)/owner")
        let preview = browser.post("/services/\(world.serviceID)/owner", fields)
        #expect(!preview.bodyText.contains("<script>alert"))
        world.save(browser)
        let page = browser.get("/services/\(world.serviceID)")
        #expect(world.owner?.details.contact.street == "<script>alert(1)</script> & \"x\"")
        #expect(!page.bodyText.contains("<script>alert"))
        #expect(page.bodyText.contains("&lt;script&gt;"))
    }

    @Test(arguments: ["/services/1/owner", "/services/1/owner/save", "/owner-email/confirm"])
    func everyNewPostNeedsTheFormsToken(_ path: String) throws {
        let world = try World()
        let browser = world.signedIn("pl100-ovh")
        browser.get("/services/\(world.serviceID)/owner")
        let target = path.replacingOccurrences(of: "/1/", with: "/\(world.serviceID)/")
        #expect(browser.post(target, world.form + [("revision", "1")], csrf: "forged").status == .forbidden)
        #expect(browser.post(target, world.form + [("revision", "1")], headers: ["sec-fetch-site": "cross-site"]).status == .forbidden)
        #expect(world.owner?.details.contact.city == "Gdańsk")
    }

    @Test(arguments: [(Language.pl, Country.poland), (.pt, .portugal), (.it, .italy)])
    func everyLanguageHasTheFlow(language: Language, country: Country) throws {
        let world = try World(country: country)
        let browser = world.signedIn("pl100-ovh")
        browser.cookies["sc_lang"] = language.rawValue
        let form = browser.get("/services/\(world.serviceID)/owner")
        #expect(form.bodyText.contains(world.text("owner_fixed_note", language)))
        let bad = browser.post("/services/\(world.serviceID)/owner", world.with("owner_postal_code", "x"))
        #expect(bad.bodyText.contains(world.text("owner_error_postal_code_\(country.rawValue.lowercased())", language)))
    }
}

/// The five entities the pages write, back to their characters, as a browser reads a value.
private func unescape(_ text: String) -> String {
    text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
        .replacingOccurrences(of: "&amp;", with: "&")
}

/// A service created before owners were recorded: the page says so and offers no form.
@Suite struct ServiceWithoutOwnerTests {
    @Test func thePageSaysNoOwnerIsOnRecordAndTheFormIsRefused() throws {
        let test = try TestApp()
        try test.addAccount("pl100-ovh", language: .pl)
        let id = try test.database.addService(
            name: "stary.pl", type: .domain, administrative: CustomerID(trusted: "pl100-ovh"),
            technical: CustomerID(trusted: "pl100-ovh"), billing: CustomerID(trusted: "pl100-ovh"))
        let browser = test.browser()
        browser.signIn("pl100-ovh")
        let page = browser.get("/services/\(id)")
        #expect(page.status == .ok)
        #expect(page.bodyText.contains(HTMLEscaping.escape(test.app.catalog.string("owner_none", .pl))))
        #expect(!page.bodyText.contains("/services/\(id)/owner\""))
        #expect(browser.get("/services/\(id)/owner").status == .conflict)
        browser.get("/services/\(id)")
        #expect(browser.post("/services/\(id)/owner", [("owner_city", "Sopot")]).status == .conflict)
    }
}
