import Foundation
import Testing

/// Personal API tokens end to end: made on the profile through nginx with the password, and by
/// the real `contacts-admin create-token`; shown once, listed, never in a log.
@Suite(.timeLimit(.minutes(3)))
struct APITokenFlowTests {
    @Test(arguments: EndToEndEngine.allCases)
    func tokensMadeOnTheProfileAndByTheOperatorAreListedAndShownOnce(_ engine: EndToEndEngine) throws {
        guard engine.isAvailable else { return }
        let server = try EndToEndServer(engine: engine)
        let account = TestAccount.make("tk730001-ovh", "Tomasz Kowal", language: "pl")
        try server.addAccount(account)

        // The operator's command prints the token alone on a line of standard output (the
        // harness mixes in standard error, where the token's description goes)
        let printed = try server.admin(["create-token", "--id", account.id, "--name", "operator script",
                                        "--scope", "read-only", "--days", "7"])
        let operatorToken = String(printed.split(separator: "\n").first { $0.hasPrefix("sct_") } ?? "")
        #expect(operatorToken.hasPrefix("sct_") && operatorToken.count == 47, "\(printed)")

        // The profile makes one with the password, on the page that answers the POST
        let browser = Browser(port: server.port)
        try browser.signIn(account)
        let wrong = try browser.submit("/profile/tokens", from: "/profile", form: [
            ("name", "nightly sync"), ("scope", "read-write"), ("days", "30"), ("password", "not it"),
        ])
        #expect(wrong.status == 422)
        let created = try browser.submit("/profile/tokens", from: "/profile", form: [
            ("name", "nightly sync"), ("scope", "read-write"), ("days", "30"), ("password", account.password),
        ])
        #expect(created.status == 200, "\(created.text)")
        #expect(created.header("Cache-Control") == "no-store")
        let marker = "<code class=\"new-token\">"
        let start = try #require(created.text.range(of: marker))
        let pageToken = String(created.text[start.upperBound...].prefix { $0 != "<" })
        #expect(pageToken.hasPrefix("sct_") && pageToken.count == 47)

        // Both are listed, neither is shown again, and no log holds either
        let profile = try browser.get("/profile").text
        #expect(profile.contains("nightly sync") && profile.contains("operator script"))
        #expect(!profile.contains(pageToken) && !profile.contains(operatorToken))
        let logs = server.allLogs()
        #expect(!logs.contains(pageToken) && !logs.contains(operatorToken))
        #expect(!logs.contains(String(pageToken.dropFirst(4))))
    }
}
