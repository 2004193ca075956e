import ContactsDomain
import ContactsStore
import Emails
import Foundation
import Localization
import HTTPCore
import Testing
@testable import WebApp

@Suite struct ExpiryTests {
    @Test func anUnconfirmedRequestExpiresAndEverybodyIsTold() throws {
        let world = try ContactChangeTests.World()
        let (admin, id, _, link) = try world.askForNewTechnicalContact()

        world.test.clock.advance(by: 14 * 24 * 3600 + 1)
        admin.signIn(world.admin.rawValue)
        let page = admin.get("/requests/\(id)")
        #expect(page.bodyText.contains(world.test.app.text("state_expired", .pl)))
        #expect(page.bodyText.contains(world.test.app.text("event_expired", .pl)))
        for account in [world.admin, world.newcomer, world.tech] {
            #expect(try world.emails(to: account).contains {
                $0.subject == world.test.app.catalog.string("email_expired_subject", account == world.admin ? .pl : (account == world.tech ? .pt : .it), .string("shop.example.pl"))
            })
        }
        // A late code is refused, and the role can be asked for again.
        let newcomer = world.browser(signedInAs: world.newcomer)
        newcomer.get("/requests/\(id)")
        #expect(newcomer.post("/requests/\(id)/accept", [("code", world.code(in: link))]).status == .conflict)
        #expect(admin.get(world.editURL).bodyText.contains("name=\"new_tech\""))
    }

    @Test func theOperatorsComposerWritesTheSameEmails() throws {
        let composer = try RequestEmails.load(
            templatesDirectory: TestApp.packageRoot.appendingPathComponent("Templates").path,
            publicBaseURL: "https://contacts.example.test/"
        )
        let world = try ContactChangeTests.World()
        _ = try world.askForNewTechnicalContact()
        world.test.clock.advance(by: 15 * 24 * 3600)
        #expect(try world.test.database.with(emails: composer).expireDueRequests(now: world.test.clock.now) == 1)
        let expiredNotice = try #require(try world.emails(to: world.newcomer).last)
        #expect(expiredNotice.bodyText.contains("https://contacts.example.test/requests/"))
        #expect(!expiredNotice.bodyText.contains("test//requests"))
    }
}

@Suite struct DemoMailboxTests {
    static let eml = """
        From: Service Contacts <no-reply@example.test>\r
        To: nina@example.test\r
        Subject: =?UTF-8?B?UG90d2llcmTFuiB6bWlhbsSZ?=\r
        Date: Sat, 21 Nov 2026 20:00:00 +0000\r
        MIME-Version: 1.0\r
        Content-Type: text/plain; charset=utf-8\r
        Content-Transfer-Encoding: quoted-printable\r
        \r
        Dzie=C5=84 dobry <b>Nina</b>,\r
        Link: https://contacts.example.test/requests/7?code=3Dabc-DEF_1\r
        Koniec d=C5=82u=\r
        giej linii.\r

        """

    @Test func isOffUnlessConfigured() throws {
        #expect(try TestApp().browser().get("/demo/mailbox").status == .notFound)
    }

    @Test func showsDeliveredMessagesDecodedWithClickableLinksAndEscapedText() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.eml.write(to: directory.appendingPathComponent("20261121T200000Z-1.eml"), atomically: true, encoding: .utf8)

        let test = try TestApp(demoMailboxDirectory: directory.path)
        let page = test.browser().get("/demo/mailbox").bodyText
        #expect(page.contains("Potwierdź zmianę"))
        #expect(page.contains("Dzień dobry &lt;b&gt;Nina&lt;/b&gt;"))
        #expect(page.contains("<a href=\"https://contacts.example.test/requests/7?code=abc-DEF_1\">"))
        #expect(page.contains("Koniec długiej linii."))
        // Its date as every page writes a time: the reader's language and zone, named
        #expect(page.contains(LocalFormat.zonedDateTime(
            try #require(DemoMailMessage(parsing: Self.eml)?.sentAt), .pl, timeZone: try #require(TimeZone(identifier: "Europe/Warsaw")))))
        #expect(!page.contains(" +0000"))
    }
}
