import Foundation
import Testing

/// An email address change end to end: the password on the profile, the emails delivered by the
/// real `contacts-admin deliver-mail`, the link opened and confirmed through nginx.
@Suite(.timeLimit(.minutes(3)))
struct EmailChangeFlowTests {
    @Test(arguments: EndToEndEngine.allCases)
    func theNewAddressTakesEffectThroughItsLinkAndTheOldOneIsTold(_ engine: EndToEndEngine) throws {
        guard engine.isAvailable else { return }
        let server = try EndToEndServer(engine: engine)
        let mailbox = Mailbox(server: server)
        let base = "http://127.0.0.1:\(server.port)"
        let account = TestAccount.make("em720001-ovh", "Zofia Żółkiewska", language: "pl")
        try server.addAccount(account)
        let newAddress = "zofia.nowa@example.net"

        let browser = Browser(port: server.port)
        try browser.signIn(account)
        let asked = try browser.submit("/profile", from: "/profile", form: [
            ("email", newAddress), ("language", "pl"), ("password", account.password),
        ])
        #expect(asked.status == 303, "\(asked.text)")

        // One email to each address; only the new one carries the link
        let emails = try mailbox.deliver()
        #expect(Set(emails.map(\.to)) == [account.email, newAddress], "\(emails)")
        #expect(emails.allSatisfy { $0.formProblems.isEmpty }, "\(emails.flatMap(\.formProblems))")
        let notice = try #require(emails.first { $0.to == account.email })
        #expect(notice.body.contains(newAddress))
        #expect(!notice.body.contains("token="))
        let linkEmail = try #require(emails.first { $0.to == newAddress })
        let link = try #require(linkEmail.links.first { $0.hasPrefix(base + "/profile/email/confirm?token=") }, "\(linkEmail.links)")
        let target = String(link.dropFirst(base.count))
        let token = String(target.split(separator: "=").last ?? "")

        // Opening the link shows the button and changes nothing
        let page = try browser.get(target)
        #expect(page.status == 200)
        #expect(page.header("Referrer-Policy") == "no-referrer")
        #expect(try browser.get("/profile").text.contains("value=\"\(account.email)\""))

        // The button confirms, once
        let confirmed = try browser.submit("/profile/email/confirm", from: target, form: [("token", token)])
        #expect(confirmed.status == 303)
        #expect(try browser.get("/profile").text.contains("value=\"\(newAddress)\""))
        #expect(try browser.submit("/profile/email/confirm", from: "/profile", form: [("token", token)]).status == 409)
        let changed = try mailbox.deliver()
        #expect(changed.map(\.to) == [account.email], "the old address is told, once more")

        // The token never reaches a log
        #expect(!server.allLogs().contains(token))
    }
}
