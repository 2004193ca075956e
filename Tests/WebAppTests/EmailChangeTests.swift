import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore
import Localization
import Testing
@testable import WebApp

/// Changing the email address on the profile: the password, the link to the new address, the
/// notice to the old one, and a stolen session that cannot move the address.
@Suite struct EmailChangeTests {
    struct World {
        let test = try! TestApp()
        let owner: CustomerID
        let oldAddress: String
        let newAddress = "nowy@example.pl"

        init() throws {
            owner = try test.addAccount("pl100-ovh", name: "Piotr Nowak", language: .pl)
            oldAddress = "pl100-ovh@example.test"
        }

        func signedIn() -> Browser {
            let browser = test.browser()
            browser.signIn(owner.rawValue)
            browser.get("/profile")
            return browser
        }

        /// Undelivered emails, oldest first.
        func outbox() throws -> [OutgoingEmail] {
            try test.database.pendingEmails(now: test.clock.now.addingTimeInterval(3600), limit: 1000).map(\.email)
        }

        var address: String { (try? test.database.account(owner))??.email.rawValue ?? "" }

        /// The path and query of the latest confirmation link in the outbox.
        func confirmationLink() throws -> String {
            let body = try #require(try outbox().last { $0.bodyText.contains("/profile/email/confirm?token=") }?.bodyText)
            let start = try #require(body.range(of: "https://contacts.example.test"))
            return String(body[start.upperBound...].prefix { !$0.isWhitespace })
        }

        func token(in link: String) -> String {
            String(link.split(separator: "=").last ?? "")
        }

        /// Asks for the change with the right password; the browser is on the profile again.
        @discardableResult
        func askForChange(_ browser: Browser) throws -> String {
            let response = browser.post("/profile", [("email", newAddress), ("language", "pl"), ("password", TestApp.password)])
            try #require(response.status == .seeOther)
            browser.get("/profile")
            return try confirmationLink()
        }

        /// A catalog string as a page shows it, with up to two text arguments.
        func text(_ key: String, _ language: Language = .pl, _ arguments: String...) -> String {
            let catalog = test.app.catalog
            let text = switch arguments.count {
            case 0: catalog.string(key, language)
            case 1: catalog.string(key, language, .string(arguments[0]))
            default: catalog.string(key, language, .string(arguments[0]), .string(arguments[1]))
            }
            return text.htmlEscaped
        }
    }

    @Test func withoutThePasswordTheAddressIsRefusedAndNothingStored() throws {
        let world = try World()
        let browser = world.signedIn()
        let response = browser.post("/profile", [("email", world.newAddress), ("language", "it")])
        #expect(response.status == .unprocessableContent)
        #expect(response.bodyText.contains(world.text("profile_password_error_empty")))
        #expect(response.bodyText.contains("value=\"\(world.newAddress)\""))
        #expect(world.address == world.oldAddress)
        #expect(try world.test.database.account(world.owner)?.language == .pl)
        #expect(try world.test.database.pendingEmailChange(of: world.owner, now: world.test.clock.now) == nil)
        #expect(try world.outbox().isEmpty)
    }

    @Test func aWrongPasswordIsRefusedAndCountsWithTheSignInThrottle() throws {
        let world = try World()
        let browser = world.signedIn()
        for _ in 0..<SignInThrottle().freeFailuresPerAccount {
            let response = browser.post("/profile", [("email", world.newAddress), ("language", "pl"), ("password", "guess")])
            #expect(response.status == .unprocessableContent)
            #expect(response.bodyText.contains(world.text("profile_password_error_wrong")))
            #expect(!response.bodyText.contains("guess"))
        }
        // Then even the right password waits, on the profile and at the sign-in alike
        let throttled = browser.post("/profile", [("email", world.newAddress), ("language", "pl"), ("password", TestApp.password)])
        #expect(throttled.status == .tooManyRequests)
        #expect(throttled.header("Retry-After") == "15")
        #expect(world.test.browser().signIn(world.owner.rawValue).status == .tooManyRequests)
        #expect(world.address == world.oldAddress)
        #expect(try world.outbox().isEmpty)
    }

    @Test func onlyTheLanguageNeedsNoPassword() throws {
        let world = try World()
        let browser = world.signedIn()
        let saved = browser.post("/profile", [("email", world.oldAddress), ("language", "it")])
        #expect(saved.status == .seeOther)
        #expect(saved.header("Location") == "/profile?notice=saved")
        #expect(try world.test.database.account(world.owner)?.language == .it)
        #expect(try world.outbox().isEmpty)
        let after = browser.get("/profile?notice=saved")
        #expect(after.header("Content-Language") == "it")
        #expect(after.bodyText.contains(world.test.app.text("profile_saved", .it)))
    }

    @Test func theRightPasswordLeavesTheChangePendingAndWritesToBothAddresses() throws {
        let world = try World()
        let browser = world.signedIn()
        let response = browser.post("/profile", [("email", " \(world.newAddress) "), ("language", "pl"), ("password", TestApp.password)])
        #expect(response.status == .seeOther)
        #expect(response.header("Location") == "/profile?notice=email-sent")
        // The address has not moved; the profile shows the new one as waiting
        #expect(world.address == world.oldAddress)
        let page = browser.get("/profile?notice=email-sent").bodyText
        #expect(page.contains(world.text("profile_email_requested", .pl, world.newAddress)))
        #expect(page.contains(world.text("profile_email_pending_label")))
        #expect(page.contains("value=\"\(world.oldAddress)\""))
        #expect(page.contains("action=\"/profile/email/cancel\"") && page.contains("action=\"/profile/email/resend\""))
        // One email to the new address with the link, one to the old address with what happened
        let emails = try world.outbox()
        #expect(emails.map(\.toAddress) == [world.newAddress, world.oldAddress])
        #expect(emails[0].subject == world.test.app.catalog.string("email_address_link_subject", .pl))
        #expect(emails[0].bodyText.contains("https://contacts.example.test/profile/email/confirm?token="))
        #expect(emails[1].subject == world.test.app.catalog.string("email_address_notice_subject", .pl))
        #expect(emails[1].bodyText.contains(world.newAddress))
        #expect(emails[1].bodyText.contains("https://contacts.example.test/profile"))
        #expect(!emails[1].bodyText.contains("token="))
        // The token is stored only as its digest
        let token = world.token(in: try world.confirmationLink())
        #expect(token.count == 43)
        #expect(try world.test.database.emailChange(tokenDigest: Secret.digest(token), account: world.owner)?.state == .pending)
    }

    @Test func codesOfARequestMadeMeanwhileStillGoToTheOldAddress() throws {
        let world = try World()
        let newcomer = try world.test.addAccount("it300-ovh", language: .it)
        let other = try world.test.addAccount("pt200-ovh", language: .pt)
        let serviceID = try world.test.database.addService(
            name: "sklep.example.pl", type: .domain, administrative: world.owner, technical: other, billing: other)
        let browser = world.signedIn()
        try world.askForChange(browser)
        browser.get("/services/\(serviceID)/edit")
        #expect(browser.post("/services/\(serviceID)/edit", [("new_admin", newcomer.rawValue)]).status == .seeOther)
        let codes = try world.outbox().filter { $0.recipient == world.owner && $0.bodyText.contains("?code=") }
        #expect(codes.count == 1)
        #expect(codes.map(\.toAddress) == [world.oldAddress])
    }

    @Test func followingTheLinkShowsAButtonAndTheButtonConfirmsOnce() throws {
        let world = try World()
        let browser = world.signedIn()
        let link = try world.askForChange(browser)
        // GET, HEAD and prefetches of the link change nothing
        let page = browser.get(link)
        #expect(page.status == .ok)
        #expect(page.header("Referrer-Policy") == "no-referrer")
        #expect(page.bodyText.contains(world.text("address_change_text", .pl, world.owner.rawValue, world.newAddress)))
        _ = browser.send(HTTPRequest(method: "HEAD", target: link))
        browser.get(link, headers: ["sec-purpose": "prefetch"])
        #expect(world.address == world.oldAddress)
        // The button confirms
        let before = try world.outbox().count
        let confirmed = browser.post("/profile/email/confirm", [("token", world.token(in: link))])
        #expect(confirmed.status == .seeOther)
        #expect(confirmed.header("Location") == "/profile?notice=email-changed")
        #expect(world.address == world.newAddress)
        #expect(browser.get("/profile?notice=email-changed").bodyText.contains(world.text("profile_email_changed", .pl, world.newAddress)))
        // The old address is told, and it is the last email it gets
        let told = try world.outbox().dropFirst(before)
        #expect(told.map(\.toAddress) == [world.oldAddress])
        #expect(told.first?.subject == world.test.app.catalog.string("email_address_changed_subject", .pl))
        // The history holds both addresses
        #expect(try world.test.database.emailHistory(of: world.owner).map(\.address.rawValue) == [world.oldAddress, world.newAddress])
        // The link works once
        browser.get(link)
        let again = browser.post("/profile/email/confirm", [("token", world.token(in: link))])
        #expect(again.status == .conflict)
        #expect(again.bodyText.contains(world.text("address_change_error_used")))
        #expect(browser.get(link).bodyText.contains(world.text("address_change_error_used")))
    }

    @Test func signedOutTheLinkAsksToSignInAndComesBack() throws {
        let world = try World()
        let link = try world.askForChange(world.signedIn())
        let browser = world.test.browser()
        let redirected = browser.get(link)
        #expect(redirected.status == .seeOther)
        let location = try #require(redirected.header("Location"))
        #expect(location.hasPrefix("/sign-in?next="))
        let next = try #require(try FormData(parsing: String(location.split(separator: "?", maxSplits: 1)[1])).value("next"))
        #expect(next == link)
        browser.get(location)
        let signedIn = browser.post("/sign-in", [("customer_id", world.owner.rawValue), ("password", TestApp.password), ("next", next)])
        #expect(signedIn.header("Location") == link)
        #expect(browser.get(link).status == .ok)
        #expect(browser.post("/profile/email/confirm", [("token", world.token(in: link))]).status == .seeOther)
        #expect(world.address == world.newAddress)
    }

    @Test func wrongTokensAndAnotherAccountsLinkAreRefused() throws {
        let world = try World()
        let link = try world.askForChange(world.signedIn())
        let intruder = world.test.browser()
        try world.test.addAccount("it300-ovh", language: .it)
        intruder.signIn("it300-ovh")
        let page = intruder.get(link)
        #expect(page.status == .notFound)
        #expect(page.bodyText.contains(world.text("address_change_error_unknown", .it)))
        #expect(!page.bodyText.contains(world.newAddress))
        #expect(intruder.post("/profile/email/confirm", [("token", world.token(in: link))]).status == .notFound)
        let owner = world.signedIn()
        for token in ["", "x", String(repeating: "A", count: 43), world.token(in: link).lowercased() + "x"] {
            owner.get("/profile")
            #expect(owner.post("/profile/email/confirm", [("token", token)]).status == .notFound, "\(token)")
        }
        #expect(owner.get("/profile/email/confirm?token=nothing").bodyText.contains(world.text("address_change_error_unknown")))
        #expect(world.address == world.oldAddress)
        #expect(try world.test.database.account(CustomerID(parsing: "it300-ovh"))?.email.rawValue == "it300-ovh@example.test")
    }

    @Test func theLinkExpiresAfter24Hours() throws {
        let world = try World()
        let browser = world.signedIn()
        let link = try world.askForChange(browser)
        world.test.clock.advance(by: 24 * 60 * 60)
        browser.signIn(world.owner.rawValue)
        let page = browser.get(link)
        #expect(page.status == .conflict)
        #expect(page.bodyText.contains(world.text("address_change_error_expired")))
        #expect(browser.post("/profile/email/confirm", [("token", world.token(in: link))]).status == .conflict)
        #expect(world.address == world.oldAddress)
        #expect(!browser.get("/profile").bodyText.contains(world.text("profile_email_pending_label")))
    }

    @Test func cancelStopsTheLinkAndResendIssuesAFreshOne() throws {
        let world = try World()
        let browser = world.signedIn()
        let first = try world.askForChange(browser)
        // Too soon to resend
        #expect(browser.post("/profile/email/resend", []).header("Location") == "/profile?notice=resend-wait")
        #expect(browser.get("/profile?notice=resend-wait").bodyText.contains(world.text("profile_email_resend_wait")))
        // A minute later: a fresh link, to the new address only; the first one stops working
        world.test.clock.advance(by: 60)
        let before = try world.outbox().count
        #expect(browser.post("/profile/email/resend", []).header("Location") == "/profile?notice=email-resent")
        let resent = try world.outbox().dropFirst(before)
        #expect(resent.map(\.toAddress) == [world.newAddress])
        let second = try world.confirmationLink()
        #expect(second != first)
        #expect(browser.get(first).bodyText.contains(world.text("address_change_error_used")))
        // Cancelled: no link works, nothing is pending
        browser.get("/profile")
        #expect(browser.post("/profile/email/cancel", []).header("Location") == "/profile?notice=email-cancelled")
        #expect(browser.get(second).status == .conflict)
        #expect(browser.post("/profile/email/confirm", [("token", world.token(in: second))]).status == .conflict)
        #expect(world.address == world.oldAddress)
        #expect(browser.post("/profile/email/cancel", []).header("Location") == "/profile?notice=nothing-pending")
        // A reload of the earlier notice no longer says a link is on its way
        #expect(!browser.get("/profile?notice=email-sent").bodyText.contains("notice-box"))
    }

    @Test func aNewerChangeReplacesTheOlderLink() throws {
        let world = try World()
        let browser = world.signedIn()
        let first = try world.askForChange(browser)
        #expect(browser.post("/profile", [("email", "drugi@example.pl"), ("language", "pl"), ("password", TestApp.password)]).status == .seeOther)
        let second = try world.confirmationLink()
        browser.get(first)
        #expect(browser.post("/profile/email/confirm", [("token", world.token(in: first))]).status == .conflict)
        browser.get(second)
        #expect(browser.post("/profile/email/confirm", [("token", world.token(in: second))]).status == .seeOther)
        #expect(world.address == "drugi@example.pl")
    }

    /// The reported attack: a session cookie alone, no password. The address cannot be moved,
    /// so the codes of a role handover go to the owner's mailbox.
    @Test func aStolenSessionCannotMoveTheAddress() throws {
        let world = try World()
        let owner = world.signedIn()
        let attacker = world.test.browser()
        attacker.cookies = owner.cookies
        attacker.get("/profile")
        let attempts: [[(String, String)]] = [
            [("email", "attacker@evil.example"), ("language", "pl")],
            [("email", "attacker@evil.example"), ("language", "pl"), ("password", "")],
            [("email", "attacker@evil.example"), ("language", "pl"), ("password", "123456")],
        ]
        for fields in attempts {
            #expect(attacker.post("/profile", fields).status == .unprocessableContent)
        }
        // Confirming needs a token from the new address's mailbox, which the attacker lacks
        #expect(attacker.post("/profile/email/confirm", [("token", Secret.generate())]).status == .notFound)
        #expect(attacker.post("/profile/email/resend", []).header("Location") == "/profile?notice=nothing-pending")
        #expect(world.address == world.oldAddress)
        #expect(try world.test.database.pendingEmailChange(of: world.owner, now: world.test.clock.now) == nil)
        #expect(try world.outbox().allSatisfy { $0.toAddress == world.oldAddress })
        #expect(try world.test.database.emailAddresses(
            of: world.owner, inForceFrom: world.test.clock.now.addingTimeInterval(-60), to: world.test.clock.now
        ).map(\.rawValue) == [world.oldAddress])
    }

    @Test(arguments: ["/profile", "/profile/email/confirm", "/profile/email/cancel", "/profile/email/resend"])
    func postsWithoutTheCSRFTokenAreRefusedAndChangeNothing(_ target: String) throws {
        let world = try World()
        let browser = world.signedIn()
        let link = try world.askForChange(browser)
        let countBefore = try world.outbox().count
        let fields = [("email", "other@example.pl"), ("language", "it"), ("password", TestApp.password), ("token", world.token(in: link))]
        #expect(browser.post(target, fields, csrf: "forged").status == .forbidden)
        #expect(browser.post(target, fields, headers: ["sec-fetch-site": "cross-site"]).status == .forbidden)
        #expect(world.address == world.oldAddress)
        #expect(try world.test.database.pendingEmailChange(of: world.owner, now: world.test.clock.now)?.newAddress.rawValue == world.newAddress)
        #expect(try world.outbox().count == countBefore)
        #expect(try world.test.database.account(world.owner)?.language == .pl)
    }

    @Test(arguments: Language.allCases)
    func pagesAndEmailsSpeakTheAccountsLanguage(_ language: Language) throws {
        let test = try TestApp()
        let id = try test.addAccount("aa100-ovh", language: language)
        let browser = test.browser()
        browser.signIn(id.rawValue)
        browser.get("/profile")
        #expect(browser.post("/profile", [("email", "new@example.net"), ("language", language.rawValue), ("password", TestApp.password)]).status == .seeOther)
        let profile = browser.get("/profile?notice=email-sent").bodyText
        #expect(profile.contains(test.app.text("profile_email_pending_label", language)))
        let emails = try test.database.pendingEmails(now: test.clock.now, limit: 10).map(\.email)
        #expect(emails.count == 2)
        for email in emails {
            #expect(email.language == language)
            #expect(!email.bodyText.contains("%") && !email.bodyText.contains("{{") && !email.subject.contains("%"))
        }
        let body = emails[0].bodyText
        let start = try #require(body.range(of: "https://contacts.example.test"))
        let link = String(body[start.upperBound...].prefix { !$0.isWhitespace })
        let page = browser.get(link).bodyText
        #expect(page.contains("<html lang=\"\(language.tag)\">"))
        #expect(page.contains(test.app.text("address_change_confirm", language)))
        #expect(!page.contains("%@") && !page.contains("{{"))
    }
}

@Suite struct ProfilePasswordSlotTests {
    @Test func theProfilesPasswordCheckWaitsForAHashingSlotLikeTheSignIn() throws {
        let test = try TestApp { $0.passwordHashingSlots = 1; $0.passwordSlotWait = 0 }
        try test.addAccount("aa100-ovh")
        let browser = test.browser()
        browser.signIn("aa100-ovh")
        browser.get("/profile")
        // Every slot is held: the password cannot be checked now, so nothing changes
        #expect(test.app.hashingSlots.acquire())
        let busy = browser.post("/profile", [("email", "new@example.net"), ("language", "pl"), ("password", TestApp.password)])
        test.app.hashingSlots.release()
        #expect(busy.status == .serviceUnavailable)
        #expect(busy.header("Retry-After") != nil)
        #expect(busy.bodyText.contains(test.app.text("signin_error_busy", .pl)))
        #expect(try test.database.pendingEmailChange(of: CustomerID(trusted: "aa100-ovh"), now: test.clock.now) == nil)
        // Once a slot is free it goes through
        browser.get("/profile")
        #expect(browser.post("/profile", [("email", "new@example.net"), ("language", "pl"), ("password", TestApp.password)]).status == .seeOther)
    }
}
