import ContactsDomain
import ContactsStore
import Foundation
import HTTPCore
import Localization
import Testing
@testable import WebApp

/// What a careful customer found on the edit page and the contacts table.
@Suite struct EditFindingsTests {
    typealias World = ContactChangeTests.World

    @Test func tickingTakeItMyselfAndTypingAnIDIsRefusedWithTheFormBack() throws {
        let world = try World()
        let admin = world.browser(signedInAs: world.admin)
        admin.get(world.editURL)
        let response = admin.post(world.editURL, [("take_tech", "1"), ("new_tech", world.newcomer.rawValue)])
        #expect(response.status == .unprocessableContent)
        let page = response.bodyText
        #expect(page.contains(world.test.app.text("edit_error_take_and_id", .pl)))
        #expect(page.contains("value=\"\(world.newcomer.rawValue)\""))
        #expect(page.contains("name=\"take_tech\" value=\"1\" checked"))
        #expect(try world.test.database.openRequests(onService: world.serviceID).isEmpty)
    }

    @Test func theAdministratorOpensTheRequestThatTheAlreadyOpenNoticeLinksTo() throws {
        // Given the billing contact asked to hand its role on
        let world = try World()
        let billing = world.browser(signedInAs: world.billing)
        billing.get(world.editURL)
        #expect(billing.post(world.editURL, [("new_billing", world.newcomer.rawValue)]).status == .seeOther)
        let id = try #require(try world.test.database.openRequests(onService: world.serviceID)[.billing])
        // Then the administrator's edit page links to it, and the link opens
        let admin = world.browser(signedInAs: world.admin)
        #expect(admin.get(world.editURL).bodyText.contains("/requests/\(id)"))
        #expect(admin.get("/requests/\(id)").status == .ok)
        // But the technical contact of the same service still gets "not found"
        #expect(world.browser(signedInAs: world.tech).get("/requests/\(id)").status == .notFound)
    }

    @Test func thePencilIsShownOnlyWhereSomethingCanBeAsked() throws {
        // Given an overdue billing-only contact, and a technical contact whose role has an open request
        let world = try World(billingOverdue: true)
        let billing = world.browser(signedInAs: world.billing)
        let billingPage = billing.get("/contacts").bodyText
        #expect(!billingPage.contains(world.editURL))
        #expect(billingPage.contains(world.test.app.text("contacts_no_edit_payment", .it)))

        let tech = world.browser(signedInAs: world.tech)
        #expect(tech.get("/contacts").bodyText.contains(world.editURL))
        tech.get(world.editURL)
        #expect(tech.post(world.editURL, [("new_tech", world.newcomer.rawValue)]).status == .seeOther)
        let techPage = tech.get("/contacts").bodyText
        #expect(!techPage.contains(world.editURL))
        #expect(techPage.contains(world.test.app.text("contacts_no_edit_open", .pt)))
        // The administrator may still change the other roles, so it keeps the pencil
        #expect(world.browser(signedInAs: world.admin).get("/contacts").bodyText.contains(world.editURL))
    }
}

@Suite struct RequestFloodTests {
    @Test func theFiftyFirstRequestOfTheHourGetsALocalized429WithTheFormBack() throws {
        let world = try ContactChangeTests.World()
        let admin = world.browser(signedInAs: world.admin)
        for _ in 0..<RequestPolicy.requestsPerAskerPerHour {
            admin.get(world.editURL)
            try #require(admin.post(world.editURL, [("take_billing", "1")]).status == .seeOther)
            let id = try #require(try world.test.database.openRequests(onService: world.serviceID)[.billing])
            admin.get("/requests/\(id)")
            try #require(admin.post("/requests/\(id)/cancel", []).status == .seeOther)
        }
        admin.get(world.editURL)
        let refused = admin.post(world.editURL, [("new_tech", world.newcomer.rawValue)])
        #expect(refused.status == .tooManyRequests)
        #expect(Int(refused.header("Retry-After") ?? "") ?? 0 > 0)
        #expect(refused.bodyText.contains("value=\"\(world.newcomer.rawValue)\""))
        let expected = world.test.app.catalog.plural("edit_error_too_many_requests", count: 60, .pl)
        #expect(refused.bodyText.contains(expected))
        #expect(try world.test.database.openRequests(onService: world.serviceID).isEmpty)
    }
}

@Suite struct MyRequestsPagesTests {
    @Test func myRequestsComesInPagesOfFifty() throws {
        // Given 55 finished requests of the administrator, made over two hours
        let world = try ContactChangeTests.World()
        let database = world.test.database
        let start = world.test.clock.now
        for index in 0..<55 {
            let at = start.addingTimeInterval(TimeInterval(index * 120))
            let holders = try #require(try database.roleHolders(ofService: world.serviceID)).holders
            let id = try #require(try database.createRequests(
                onService: world.serviceID, by: world.admin, changes: [.billing: world.admin],
                expectedHolders: holders, now: at).first)
            try database.perform(.cancel(by: world.admin), on: id, now: at)
        }
        world.test.clock.advance(by: 3 * 3600)
        let admin = world.browser(signedInAs: world.admin)
        // Then the first page shows 50 of them, the count of all, and a link to the older ones
        let first = admin.get("/requests")
        #expect(first.status == .ok)
        #expect(first.bodyText.components(separatedBy: "href=\"/requests/").count - 1 == 50)
        #expect(first.bodyText.contains(world.test.app.catalog.plural("requests_summary", count: 55, .pl)))
        let next = try #require(first.bodyText.range(of: "href=\"/requests?after=")).upperBound
        let token = first.bodyText[next...].prefix { $0 != "\"" }
        let second = admin.get("/requests?after=\(token)")
        #expect(second.bodyText.components(separatedBy: "href=\"/requests/").count - 1 == 5)
        #expect(second.bodyText.contains(world.test.app.text("requests_first_page", .pl)))
        #expect(!second.bodyText.contains("/requests?after="))
        // And a forged cursor is a bad request
        #expect(admin.get("/requests?after=o-x-1").status == .badRequest)
    }
}

@Suite struct AccountProbeTests {
    @Test func typedIDsCannotListCustomersOrTheirArrears() throws {
        // Given an administrator typing IDs that do not exist, one after another
        let world = try ContactChangeTests.World(newcomerOverdue: true)
        let admin = world.browser(signedInAs: world.admin)
        let unknown = world.test.app.text("edit_error_unknown_account", .pl)
        for index in 0..<RequestPolicy.lookupThrottle.freeFailuresPerAccount {
            admin.get(world.editURL)
            let answer = admin.post(world.editURL, [("new_tech", "zz\(index)-ovh")])
            try #require(answer.status == .unprocessableContent && answer.bodyText.contains(unknown))
        }
        // Then the next answer about another account is withheld: 429, nothing said about the ID
        admin.get(world.editURL)
        let withheld = admin.post(world.editURL, [("new_billing", world.newcomer.rawValue)])
        #expect(withheld.status == .tooManyRequests)
        #expect(withheld.header("Retry-After") != nil)
        #expect(!withheld.bodyText.contains(unknown))
        #expect(!withheld.bodyText.contains("Nina New"))
        #expect(withheld.bodyText.contains("value=\"\(world.newcomer.rawValue)\""))
        // But a submission that reveals nothing new still goes through
        admin.get(world.editURL)
        #expect(admin.post(world.editURL, [("take_tech", "1")]).status == .seeOther)
        // And another account is not slowed down by it
        let tech = world.browser(signedInAs: world.tech)
        tech.get(world.editURL)
        #expect(tech.post(world.editURL, [("new_tech", "zz999-ovh")]).bodyText.contains(world.test.app.text("edit_error_unknown_account", .pt)))
    }
}

@Suite struct TimeZoneTests {
    @Test func pagesAndEmailsShowTimesInTheReadersZoneNamed() throws {
        // Given a Polish administrator who lives in the Azores, asking for an Italian newcomer
        let world = try ContactChangeTests.World()
        let admin = world.browser(signedInAs: world.admin)
        admin.get("/profile")
        #expect(admin.post("/profile", [("email", "\(world.admin.rawValue)@example.test"), ("language", "pl"),
                                        ("time_zone", "Atlantic/Azores")]).status == .seeOther)
        #expect(try world.test.database.account(world.admin)?.timeZone == "Atlantic/Azores")
        let (_, id, _, _) = try world.askForNewTechnicalContact()
        // Then its request page shows the request's time in the Azores (UTC-1 in winter), named
        let now = world.test.clock.now
        let azores = try #require(TimeZone(identifier: "Atlantic/Azores"))
        let expected = LocalFormat.zonedDateTime(now, .pl, timeZone: azores)
        let page = admin.get("/requests/\(id)").bodyText
        #expect(page.contains(expected) && expected.hasSuffix("UTC-1"))
        // And every time on it names its zone
        let times = try Regex(#"\d{1,2}\.\d{2}\.\d{4}, \d{2}:\d{2}( UTC[+-]?[0-9:]*)?"#)
        for match in page.matches(of: times) {
            #expect(page[match.range].contains(" UTC"), "\(page[match.range])")
        }
        // And the Italian newcomer's email says when the request expires in Rome's time
        let email = try #require(try world.emails(to: world.newcomer).last)
        let rome = try #require(TimeZone(identifier: "Europe/Rome"))
        let expiry = now.addingTimeInterval(world.test.app.configuration.requestLifetime)
        #expect(email.bodyText.contains(LocalFormat.zonedDateTime(expiry, .it, timeZone: rome)))
    }

    @Test func aZoneTheListDoesNotOfferIsRefusedWithTheFormBack() throws {
        let world = try ContactChangeTests.World()
        let admin = world.browser(signedInAs: world.admin)
        admin.get("/profile")
        let response = admin.post("/profile", [("email", "\(world.admin.rawValue)@example.test"), ("language", "pt"),
                                               ("time_zone", "Mars/Olympus_Mons")])
        #expect(response.status == .unprocessableContent)
        #expect(response.bodyText.contains(world.test.app.text("time_zone_error_invalid", .pl)))
        #expect(try world.test.database.account(world.admin)?.language == .pl)
        // And choosing the language's zone again stores none
        admin.get("/profile")
        #expect(admin.post("/profile", [("email", "\(world.admin.rawValue)@example.test"), ("language", "pl"),
                                        ("time_zone", "")]).status == .seeOther)
        #expect(try world.test.database.account(world.admin)?.chosenTimeZone == nil)
    }
}
