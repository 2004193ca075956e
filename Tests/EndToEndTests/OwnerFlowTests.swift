import Foundation
import Testing

/// The owner's details end to end: the operator sets them with `add-service`, the
/// administrative contact previews and saves an update through nginx, `deliver-mail` sends the
/// notices and the link, and the link's page confirms the new address.
@Suite(.timeLimit(.minutes(3)))
struct OwnerFlowTests {
    @Test(arguments: EndToEndEngine.allCases)
    func anUpdateIsPreviewedSavedToldAndItsNewAddressConfirmedThroughItsLink(_ engine: EndToEndEngine) throws {
        guard engine.isAvailable else { return }
        let server = try EndToEndServer(engine: engine)
        let mailbox = Mailbox(server: server)
        let base = "http://127.0.0.1:\(server.port)"
        let admin = TestAccount.make("ow810001-ovh", "Zofia Żółkiewska", language: "pl")
        let tech = TestAccount.make("ow810002-ovh", "João Conceição", language: "pt")
        let billing = TestAccount.make("ow810003-ovh", "Chiara Ricci", language: "it")
        for account in [admin, tech, billing] { try server.addAccount(account) }
        let created = try server.admin([
            "add-service", "--name", "zolw.pl", "--type", "domain",
            "--admin", admin.id, "--tech", tech.id, "--billing", billing.id,
            "--owner-name", "Zofia Żółkiewska", "--owner-street", "ul. Długa 45", "--owner-postal-code", "80-827",
            "--owner-city", "Gdańsk", "--owner-country", "PL", "--owner-phone", "601 234 567", "--owner-email", "zofia@example.pl",
        ])
        let serviceID = try #require(Page.firstMatch(#"Created service (\d+)"#, in: created), "\(created)")
        let servicePath = "/services/\(serviceID)"

        // The technical contact sees the details and cannot change them
        let techBrowser = Browser(port: server.port)
        try techBrowser.signIn(tech)
        let techPage = try techBrowser.get(servicePath)
        #expect(techPage.status == 200)
        #expect(Page.text(techPage).contains("+48601234567"))
        #expect(try techBrowser.submit(servicePath + "/owner", from: servicePath, form: [("owner_city", "Sopot")]).status == 403)

        // The administrative contact previews: nothing is saved yet
        let browser = Browser(port: server.port)
        try browser.signIn(admin)
        #expect(try browser.get("/contacts").text.contains("href=\"\(servicePath)\""))
        let preview = try browser.submit(servicePath + "/owner", from: servicePath + "/owner", form: [
            ("owner_street", "ul. Bohaterów Monte Cassino 12"), ("owner_postal_code", "81767"), ("owner_city", "Sopot"),
            ("owner_phone", "+48 58 123 45 67"), ("owner_email", "zofia.nowa@example.net"),
        ])
        #expect(preview.status == 200, "\(preview.text)")
        let previewText = Page.text(preview)
        #expect(previewText.contains("ul. Długa 45") && previewText.contains("81-767"))
        #expect(Page.text(try browser.get(servicePath)).contains("Gdańsk"))
        #expect(try mailbox.deliver().isEmpty)

        // The save applies what it can at once
        let names = ["revision", "owner_street", "owner_postal_code", "owner_city", "owner_phone", "owner_email"]
        let hidden = try names.map { ($0, try #require(Page.inputValue($0, in: preview), "\($0) on the preview")) }
        #expect(preview.text.contains("name=\"password\""), "a new owner address takes the password")
        let saved = try browser.submit(servicePath + "/owner/save", from: servicePath, form: hidden + [("password", admin.password)])
        #expect(saved.status == 303)
        let page = Page.text(try browser.get(servicePath))
        #expect(page.contains("Sopot") && page.contains("+48581234567") && page.contains("zofia@example.pl"))
        #expect(page.contains("zofia.nowa@example.net"), "the pending address is shown")

        // The owner's previous address, the three contacts and the new address are written to
        let emails = try mailbox.deliver()
        #expect(Set(emails.map(\.to)) == ["zofia@example.pl", admin.email, tech.email, billing.email, "zofia.nowa@example.net"],
                "\(emails)")
        let notice = try #require(emails.first { $0.to == tech.email })
        #expect(notice.body.contains("Gdańsk → Sopot"))
        #expect(!notice.body.contains("token="))
        let linkEmail = try #require(emails.first { $0.to == "zofia.nowa@example.net" })
        let link = try #require(linkEmail.links.first { $0.hasPrefix(base + "/owner-email/confirm?token=") }, "\(linkEmail.links)")
        let target = String(link.dropFirst(base.count))
        let token = String(target.split(separator: "=").last ?? "")

        // The owner need not have an account: the link's page has a button, the GET changes nothing
        let owner = Browser(port: server.port)
        let linkPage = try owner.get(target)
        #expect(linkPage.status == 200)
        #expect(linkPage.header("Referrer-Policy") == "no-referrer")
        #expect(!Page.text(try browser.get(servicePath)).contains("<dd>zofia.nowa@example.net</dd>"))
        let confirmed = try owner.submit("/owner-email/confirm", from: target, form: [("token", token)])
        #expect(confirmed.status == 200)
        #expect(Page.text(try browser.get(servicePath)).contains("<dd>zofia.nowa@example.net</dd>"))
        #expect(try owner.submit("/owner-email/confirm", from: "/sign-in", form: [("token", token)]).status == 409)

        // The token never reaches a log
        #expect(!server.allLogs().contains(token))
    }
}
