import ContactsDomain
import ContactsStore
import Foundation
import HTTPCore
import Localization
import Testing
@testable import WebApp

/// The edit page, the emails with personal codes, "My requests" and the change taking effect,
/// through the router with real templates and a real SQLite file.
@Suite struct ContactChangeTests {
    struct World {
        let test: TestApp
        let serviceID: Int64
        let admin: CustomerID
        let tech: CustomerID
        let billing: CustomerID
        let newcomer: CustomerID

        init(adminLanguage: Language = .pl, newcomerLanguage: Language = .it, billingOverdue: Bool = false, newcomerOverdue: Bool = false) throws {
            test = try TestApp()
            admin = try test.addAccount("ad100-ovh", name: "Adam Admin", language: adminLanguage)
            tech = try test.addAccount("te200-ovh", name: "Tina Tech", language: .pt)
            billing = try test.addAccount("bi300-ovh", name: "Bruno Billing", language: .it, overdue: billingOverdue)
            newcomer = try test.addAccount("ne400-ovh", name: "Nina New", language: newcomerLanguage, overdue: newcomerOverdue)
            serviceID = try test.database.addService(name: "shop.example.pl", type: .domain, administrative: admin, technical: tech, billing: billing)
        }

        func browser(signedInAs id: CustomerID) -> Browser {
            let browser = test.browser()
            browser.signIn(id.rawValue)
            return browser
        }

        var editURL: String { "/services/\(serviceID)/edit" }

        /// Undelivered emails to `recipient`, oldest first.
        func emails(to recipient: CustomerID) throws -> [OutgoingEmail] {
            try test.database.pendingEmails(now: test.clock.now.addingTimeInterval(3600), limit: 1000)
                .map(\.email).filter { $0.recipient == recipient }
        }

        /// The link of the latest confirmation email to `recipient`, as a path with its query.
        func codeLink(for recipient: CustomerID) throws -> String {
            let body = try #require(try emails(to: recipient).last { $0.bodyText.contains("?code=") }?.bodyText)
            let start = try #require(body.range(of: "https://contacts.example.test"))
            let link = body[start.upperBound...].prefix { !$0.isWhitespace }
            return String(link)
        }

        func code(in link: String) -> String {
            String(link.split(separator: "=").last ?? "")
        }

        /// The administrator asks for `newcomer` as technical contact: its signed-in browser, the
        /// request's ID and the two confirmers' links.
        func askForNewTechnicalContact() throws -> (admin: Browser, id: String, adminLink: String, newcomerLink: String) {
            let admin = browser(signedInAs: self.admin)
            admin.get(editURL)
            try #require(admin.post(editURL, [("new_tech", newcomer.rawValue)]).status == .seeOther)
            let adminLink = try codeLink(for: self.admin)
            let id = try #require(adminLink.split(separator: "/").last?.split(separator: "?").first)
            return (admin, String(id), adminLink, try codeLink(for: newcomer))
        }
    }

    @Test func theEditPageShowsOnlyTheFieldsTheRoleMayChange() throws {
        let world = try World()
        let asAdmin = world.browser(signedInAs: world.admin).get(world.editURL).bodyText
        for role in ["admin", "tech", "billing"] {
            #expect(asAdmin.contains("name=\"new_\(role)\""))
        }
        #expect(asAdmin.contains("name=\"take_tech\"") && asAdmin.contains("name=\"take_billing\""))

        let asTech = world.browser(signedInAs: world.tech).get(world.editURL).bodyText
        #expect(asTech.contains("name=\"new_tech\""))
        #expect(!asTech.contains("name=\"new_admin\"") && !asTech.contains("name=\"new_billing\""))
        #expect(!asTech.contains("name=\"take_"))
        #expect(asTech.contains(world.test.app.text("edit_role_locked", .pt)))
    }

    @Test func aServiceWithoutARoleIsNotFound() throws {
        let world = try World()
        let outsider = try world.test.addAccount("ou500-ovh")
        #expect(world.browser(signedInAs: outsider).get(world.editURL).status == .notFound)
        #expect(world.browser(signedInAs: world.admin).get("/services/999/edit").status == .notFound)
    }

    @Test func theServerRefusesWhatTheFormWouldNotOffer() throws {
        let world = try World()
        let browser = world.browser(signedInAs: world.tech)
        browser.get(world.editURL)
        let response = browser.post(world.editURL, [("new_admin", world.newcomer.rawValue)])
        #expect(response.status == .unprocessableContent)
        #expect(try world.test.database.openRequests(onService: world.serviceID).isEmpty)
    }

    @Test func badInputComesBackNextToTheFieldsWithWhatWasTyped() throws {
        let world = try World()
        let browser = world.browser(signedInAs: world.admin)
        browser.get(world.editURL)
        let response = browser.post(world.editURL, [("new_tech", "not-an-id"), ("new_billing", "zz999-ovh"), ("new_admin", "AD100-OVH")])
        #expect(response.status == .unprocessableContent)
        let page = response.bodyText
        #expect(page.contains(world.test.app.text("customer_id_error_malformed", .pl)))
        #expect(page.contains(world.test.app.text("edit_error_unknown_account", .pl)))
        #expect(page.contains(world.test.app.text("edit_error_no_change", .pl)))
        #expect(page.contains("value=\"not-an-id\"") && page.contains("value=\"zz999-ovh\""))
        #expect(try world.test.database.openRequests(onService: world.serviceID).isEmpty)
        #expect(try world.emails(to: world.newcomer).isEmpty)
    }

    @Test func anEmptySubmissionAsksForAContact() throws {
        let world = try World()
        let browser = world.browser(signedInAs: world.admin)
        browser.get(world.editURL)
        let response = browser.post(world.editURL, [("new_tech", "  ")])
        #expect(response.status == .unprocessableContent)
        #expect(response.bodyText.contains(world.test.app.text("edit_error_nothing", .pl)))
    }

    @Test func theWholeFlowChangesTheTechnicalContact() throws {
        let world = try World()
        let admin = world.browser(signedInAs: world.admin)
        admin.get(world.editURL)
        let submitted = admin.post(world.editURL, [("new_tech", " NE400-ovh ")])
        #expect(submitted.status == .seeOther)
        let confirmation = admin.get(try #require(submitted.header("Location")))
        #expect(confirmation.bodyText.contains(world.test.app.text("edit_success", .pl)))

        // Each confirmer got an email in its own language with its own code.
        let adminEmail = try #require(try world.emails(to: world.admin).first)
        let newcomerEmail = try #require(try world.emails(to: world.newcomer).first)
        #expect(adminEmail.language == .pl && newcomerEmail.language == .it)
        #expect(newcomerEmail.subject.contains("shop.example.pl"))
        let adminLink = try world.codeLink(for: world.admin)
        let newcomerLink = try world.codeLink(for: world.newcomer)
        #expect(world.code(in: adminLink) != world.code(in: newcomerLink))
        #expect(try world.emails(to: world.tech).isEmpty)

        // The link opens the request with the code filled in, and changes nothing by itself.
        let newcomer = world.browser(signedInAs: world.newcomer)
        let opened = newcomer.get(newcomerLink)
        #expect(opened.status == .ok)
        #expect(opened.header("Referrer-Policy") == "no-referrer")
        #expect(opened.bodyText.contains("value=\"\(world.code(in: newcomerLink))\""))
        #expect(opened.bodyText.contains(world.test.app.text("request_waiting_you", .it)))
        #expect(try world.test.database.roleHolders(ofService: world.serviceID)?.holders.technical == world.tech)

        let id = try #require(newcomerLink.split(separator: "/").last?.split(separator: "?").first)
        #expect(newcomer.post("/requests/\(id)/accept", [("code", world.code(in: newcomerLink))]).status == .seeOther)
        let halfway = admin.get("/requests/\(id)").bodyText
        #expect(halfway.contains(world.test.app.text("request_waiting_you", .pl)))

        admin.get(adminLink)
        let done = admin.post("/requests/\(id)/accept", [("code", world.code(in: adminLink))])
        #expect(done.header("Location") == "/requests/\(id)?notice=done")

        // The change took effect at once: the contacts table shows it.
        #expect(try world.test.database.roleHolders(ofService: world.serviceID)?.holders.technical == world.newcomer)
        let table = newcomer.get("/contacts").bodyText
        #expect(table.contains("shop.example.pl"))
        // Requester, new and old contact are told.
        for account in [world.admin, world.newcomer, world.tech] {
            #expect(try world.emails(to: account).contains { $0.bodyText.contains("/requests/\(id)") && !$0.bodyText.contains("?code=") })
        }
    }

    @Test func wrongUsedAndForeignCodesAreRefused() throws {
        let world = try World()
        let (admin, id, adminLink, newcomerLink) = try world.askForNewTechnicalContact()

        admin.get("/requests/\(id)")
        let wrong = admin.post("/requests/\(id)/accept", [("code", "x" + world.code(in: adminLink))])
        #expect(wrong.status == .unprocessableContent)
        #expect(wrong.bodyText.contains(world.test.app.text("request_error_wrong_code", .pl)))
        // Another confirmer's code is not this account's code.
        #expect(admin.post("/requests/\(id)/accept", [("code", world.code(in: newcomerLink))]).status == .unprocessableContent)
        let empty = admin.post("/requests/\(id)/accept", [("code", "")])
        #expect(empty.bodyText.contains(world.test.app.text("request_error_code_empty", .pl)))

        #expect(admin.post("/requests/\(id)/accept", [("code", world.code(in: adminLink))]).status == .seeOther)
        let again = admin.post("/requests/\(id)/accept", [("code", world.code(in: adminLink))])
        #expect(again.status == .conflict)
        #expect(again.bodyText.contains(world.test.app.text("request_error_already_accepted", .pl)))
    }

    @Test func nobodyElseSeesARequest() throws {
        let world = try World()
        let (_, id, link, _) = try world.askForNewTechnicalContact()
        let outsider = try world.test.addAccount("ou500-ovh")
        let stranger = world.browser(signedInAs: outsider)
        #expect(stranger.get("/requests/\(id)").status == .notFound)
        #expect(stranger.get("/requests/\(id)?code=\(world.code(in: link))").status == .notFound)
        stranger.get("/contacts")
        #expect(stranger.post("/requests/\(id)/accept", [("code", world.code(in: link))]).status == .notFound)
        #expect(!stranger.get("/requests").bodyText.contains("shop.example.pl"))
        // The old technical contact is involved, so it sees it.
        #expect(world.browser(signedInAs: world.tech).get("/requests/\(id)").status == .ok)
    }

    @Test func aRefusalEndsTheRequestAndTellsEverybody() throws {
        let world = try World()
        let (admin, id, _, link) = try world.askForNewTechnicalContact()
        let newcomer = world.browser(signedInAs: world.newcomer)
        newcomer.get(link)
        let refused = newcomer.post("/requests/\(id)/refuse", [("code", world.code(in: link))])
        #expect(refused.header("Location") == "/requests/\(id)?notice=refused")
        #expect(try world.test.database.roleHolders(ofService: world.serviceID)?.holders.technical == world.tech)
        for account in [world.admin, world.newcomer, world.tech] {
            #expect(try world.emails(to: account).contains { !$0.bodyText.contains("?code=") })
        }
        #expect(admin.get("/requests?state=refused").bodyText.contains("shop.example.pl"))
        #expect(admin.get("/requests?state=waiting").bodyText.contains(world.test.app.text("requests_empty", .pl)))
    }

    @Test func aSecondRequestOnTheSameRoleLinksToTheOpenOne() throws {
        let world = try World()
        let admin = world.browser(signedInAs: world.admin)
        admin.get(world.editURL)
        admin.post(world.editURL, [("new_tech", world.newcomer.rawValue)])
        let page = admin.get(world.editURL).bodyText
        #expect(page.contains(world.test.app.text("edit_open_request", .pl)))
        #expect(!page.contains("name=\"new_tech\""))
        let again = admin.post(world.editURL, [("new_tech", world.billing.rawValue)])
        #expect(again.status == .unprocessableContent)
        #expect(again.bodyText.contains(world.test.app.text("edit_error_open_request", .pl)))
    }

    @Test func theRequesterCancelsAndOthersCannot() throws {
        let world = try World()
        let (admin, id, _, _) = try world.askForNewTechnicalContact()
        let newcomer = world.browser(signedInAs: world.newcomer)
        newcomer.get("/requests/\(id)")
        #expect(newcomer.post("/requests/\(id)/cancel", []).status == .forbidden)
        admin.get("/requests/\(id)")
        #expect(admin.post("/requests/\(id)/cancel", []).header("Location") == "/requests/\(id)?notice=cancelled")
        #expect(admin.get("/requests/\(id)").bodyText.contains(world.test.app.text("state_cancelled", .pl)))
    }

    @Test func resendingIssuesFreshCodesAtOnceThenAtMostOnceAMinute() throws {
        let world = try World()
        let (admin, id, _, oldLink) = try world.askForNewTechnicalContact()

        // The first resend right away: the asker may just have fixed an address
        admin.get("/requests/\(id)")
        #expect(admin.post("/requests/\(id)/resend", []).header("Location") == "/requests/\(id)?notice=resent")
        let newLink = try world.codeLink(for: world.newcomer)
        #expect(newLink != oldLink)

        admin.get("/requests/\(id)")
        let tooSoon = admin.post("/requests/\(id)/resend", [])
        #expect(tooSoon.status == .tooManyRequests)
        #expect(tooSoon.header("Retry-After") == "60")
        world.test.clock.advance(by: 61)
        admin.get("/requests/\(id)")
        #expect(admin.post("/requests/\(id)/resend", []).header("Location") == "/requests/\(id)?notice=resent")
        let newestLink = try world.codeLink(for: world.newcomer)
        #expect(newestLink != newLink)

        // The contact being replaced sees the request but has no resend button and is refused
        let old = world.browser(signedInAs: world.tech)
        #expect(!old.get("/requests/\(id)").bodyText.contains("/resend"))
        #expect(old.post("/requests/\(id)/resend", []).status == .forbidden)

        let newcomer = world.browser(signedInAs: world.newcomer)
        newcomer.get(newestLink)
        #expect(newcomer.post("/requests/\(id)/accept", [("code", world.code(in: newLink))]).status == .unprocessableContent)
        #expect(newcomer.post("/requests/\(id)/accept", [("code", world.code(in: newestLink))]).status == .seeOther)
    }

    @Test func anOverdueBillingContactBlocksTheFieldBeforeAnythingIsTyped() throws {
        let world = try World(billingOverdue: true)
        let admin = world.browser(signedInAs: world.admin)
        let page = admin.get(world.editURL).bodyText
        #expect(!page.contains("name=\"new_billing\""))
        #expect(page.contains("Bruno Billing (bi300-ovh)"))
        let forced = admin.post(world.editURL, [("new_billing", world.newcomer.rawValue)])
        #expect(forced.status == .unprocessableContent)
        #expect(try world.test.database.openRequests(onService: world.serviceID).isEmpty)
    }

    @Test func anOverdueNewBillingContactIsNamed() throws {
        let world = try World(newcomerOverdue: true)
        let admin = world.browser(signedInAs: world.admin)
        admin.get(world.editURL)
        let response = admin.post(world.editURL, [("new_billing", world.newcomer.rawValue)])
        #expect(response.status == .unprocessableContent)
        #expect(response.bodyText.contains("Nina New (ne400-ovh)"))
    }

    @Test func theAdministratorTakesARoleBackInOneClick() throws {
        let world = try World()
        let admin = world.browser(signedInAs: world.admin)
        admin.get(world.editURL)
        #expect(admin.post(world.editURL, [("take_billing", "1")]).status == .seeOther)
        let link = try world.codeLink(for: world.admin)
        let id = try #require(link.split(separator: "/").last?.split(separator: "?").first)
        admin.get(link)
        #expect(admin.post("/requests/\(id)/accept", [("code", world.code(in: link))]).header("Location") == "/requests/\(id)?notice=done")
        #expect(try world.test.database.roleHolders(ofService: world.serviceID)?.holders.billing == world.admin)
    }

    @Test func requestLinksBringAnAnonymousVisitorBackAfterSignIn() throws {
        let world = try World()
        let admin = world.browser(signedInAs: world.admin)
        admin.get(world.editURL)
        admin.post(world.editURL, [("new_tech", world.newcomer.rawValue)])
        let link = try world.codeLink(for: world.newcomer)
        let visitor = world.test.browser()
        let redirect = visitor.get(link)
        #expect(redirect.status == .seeOther)
        let signInPage = try #require(redirect.header("Location"))
        visitor.get(signInPage)
        let next = try #require(visitor.lastPage.firstValue(ofField: "next")).replacingOccurrences(of: "&amp;", with: "&")
        #expect(next == link)
        let signedIn = visitor.post("/sign-in", [("customer_id", world.newcomer.rawValue), ("password", TestApp.password), ("next", next)])
        #expect(signedIn.header("Location") == link)
    }

    @Test(arguments: Language.allCases)
    func requestPagesAndEmailsSpeakEveryLanguage(_ language: Language) throws {
        let world = try World(adminLanguage: language, newcomerLanguage: language)
        let admin = world.browser(signedInAs: world.admin)
        admin.get(world.editURL)
        admin.post(world.editURL, [("new_tech", world.newcomer.rawValue)])
        let email = try #require(try world.emails(to: world.newcomer).first)
        #expect(email.subject == world.test.app.catalog.string("email_confirm_subject", language, .string("shop.example.pl")))
        #expect(email.bodyText.contains(world.test.app.catalog.string("email_greeting", language, .string("Nina New"))))
        let list = admin.get("/requests").bodyText
        #expect(list.contains("<html lang=\"\(language.tag)\">"))
        #expect(list.contains(world.test.app.text("state_waiting", language)))
    }
}
