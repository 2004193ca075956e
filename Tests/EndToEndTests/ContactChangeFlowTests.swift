import Foundation
import Testing

/// Contact change requests end to end: the real contacts-fcgi behind the real nginx, the emails
/// delivered by the real `contacts-admin deliver-mail` as .eml files and read back from them.
@Suite(.timeLimit(.minutes(3)))
struct ContactChangeFlowTests {
    /// One server with a service whose contacts are fresh accounts, all speaking `language`
    /// unless told otherwise.
    struct World {
        let server: EndToEndServer
        let mailbox: Mailbox
        let service: String
        let admin: TestAccount
        let oldTech: TestAccount
        let billing: TestAccount
        let newcomer: TestAccount

        var base: String { "http://127.0.0.1:\(server.port)" }

        init(tag: String, language: String, newcomerLanguage: String? = nil, oldTechLanguage: String? = nil,
             separateBilling: Bool = false, serverArguments: [String] = [], engine: EndToEndEngine = .sqlite) throws {
            server = try EndToEndServer(appArguments: serverArguments, engine: engine)
            mailbox = Mailbox(server: server)
            let names = Self.names[language] ?? Self.names["pl"]!
            admin = .make("\(tag)710001-ovh", names[0], language: language)
            oldTech = .make("\(tag)710002-ovh", names[1], language: oldTechLanguage ?? language)
            newcomer = .make("\(tag)710003-ovh", names[2], language: newcomerLanguage ?? language)
            billing = separateBilling ? .make("\(tag)710004-ovh", names[3], language: language) : admin
            service = "zmiana-\(tag).example.pl"
            for account in Set([admin, oldTech, newcomer, billing].map(\.id)).sorted() {
                try server.addAccount([admin, oldTech, newcomer, billing].first { $0.id == account }!)
            }
            try server.addService(service, admin: admin, tech: oldTech, billing: billing)
        }

        /// Display names that need UTF-8 in every header and body they appear in.
        static let names: [String: [String]] = [
            "pl": ["Zofia Żółkiewska", "Grzegorz Brzęczyszczykiewicz", "Łucja Ślęzak", "Jędrzej Kęsicki"],
            "pt": ["João Conceição", "Inês Gonçalves", "Sebastião Araújo", "Magalhães Brás"],
            "it": ["Niccolò Perché", "Lucrezia Città", "Amedeo Facoltà", "Pietà Benedetti"],
        ]

        /// The service's row on /contacts (text filter on its name) as `browser` sees it.
        func row(_ browser: Browser, sourceLocation: SourceLocation = #_sourceLocation) throws -> (cells: [String], editURL: String?) {
            let page = try browser.get("/contacts?q=\(Browser.encode(service))")
            try #require(page.status == 200, sourceLocation: sourceLocation)
            return try #require(Page.contactsRow(of: service, in: page), "\(service) on /contacts", sourceLocation: sourceLocation)
        }

        /// Technical contact's cell of the row: "id name".
        func techCell(_ browser: Browser) throws -> String { try row(browser).cells[3] }
        func billingCell(_ browser: Browser) throws -> String { try row(browser).cells[4] }

        /// The edit page's address, from the pencil on the row.
        func editURL(_ browser: Browser) throws -> String {
            try #require(try row(browser).editURL, "a pencil on the row of \(service)")
        }

        /// The confirmation email to `account` among `emails`, and its link.
        func codeLink(to account: TestAccount, in emails: [DeliveredEmail], sourceLocation: SourceLocation = #_sourceLocation) throws -> (DeliveredEmail, CodeLink) {
            let email = try #require(emails.first { $0.to == account.email }, "an email to \(account.id) in \(emails)", sourceLocation: sourceLocation)
            let links = email.links.compactMap { CodeLink($0, base: base) }
            try #require(links.count == 1, "one code link in the email to \(account.id): \(email.links)", sourceLocation: sourceLocation)
            return (email, links[0])
        }
    }

    // MARK: - 1. The whole flow, in each language

    @Test(arguments: ["pl", "pt", "it"], EndToEndEngine.allCases)
    func aNewTechnicalContactIsConfirmedByEmailAndTakesEffect(_ language: String, _ engine: EndToEndEngine) throws {
        guard engine.isAvailable else { return }
        let world = try World(tag: language == "pl" ? "pa" : language == "pt" ? "pb" : "pc", language: language, engine: engine)
        let adminBrowser = Browser(port: world.server.port)
        try adminBrowser.signIn(world.admin)

        // The pencil on "My contacts" leads to the edit page, which offers the technical field.
        #expect(try world.techCell(adminBrowser).hasPrefix(world.oldTech.id))
        let editURL = try world.editURL(adminBrowser)
        let edit = try adminBrowser.get(editURL)
        #expect(edit.status == 200)
        #expect(edit.header("Content-Language") == languageTag(language))
        #expect(edit.text.contains(#"name="new_tech""#))

        let submitted = try adminBrowser.submit(editURL, from: editURL, form: [("new_tech", "  \(world.newcomer.id.uppercased()) ")])
        #expect(submitted.status == 303, "\(Page.text(submitted))")
        let location = try #require(submitted.header("Location"))
        #expect(location == editURL + "?notice=registered")
        let registered = try adminBrowser.get(location)
        #expect(Page.text(registered).contains(try CatalogText.string("edit_success", language)))
        // Nothing changes before the confirmations.
        #expect(try world.techCell(adminBrowser).hasPrefix(world.oldTech.id))

        // Both confirmers get an email in their language, with their own code; nobody else does.
        let requestEmails = try world.mailbox.deliver()
        #expect(requestEmails.count == 2, "\(requestEmails)")
        #expect(Set(requestEmails.map(\.to)) == [world.admin.email, world.newcomer.email])
        let (adminEmail, adminLink) = try world.codeLink(to: world.admin, in: requestEmails)
        let (newcomerEmail, newcomerLink) = try world.codeLink(to: world.newcomer, in: requestEmails)
        for (email, account) in [(adminEmail, world.admin), (newcomerEmail, world.newcomer)] {
            #expect(email.formProblems.isEmpty, "\(email): \(email.formProblems)")
            #expect(email.contentLanguage == language)
            let subject = try CatalogText.string("email_confirm_subject", language, world.service)
            #expect(email.subject == subject)
            if subject.unicodeScalars.contains(where: { !$0.isASCII }) {
                #expect(email.rawHeader("Subject")?.hasPrefix("=?UTF-8?B?") == true, "a non-ASCII subject as encoded-words")
            }
            #expect(email.body.contains(try CatalogText.string("email_greeting", language, account.name)), "\(email.body)")
            #expect(email.body.contains(world.oldTech.described) && email.body.contains(world.newcomer.described))
        }
        #expect(adminLink.requestID == newcomerLink.requestID)
        #expect(adminLink.code != newcomerLink.code, "each confirmer has its own code")
        #expect(adminLink.code.count >= 22, "at least 128 bits")
        #expect(newcomerEmail.body.contains(newcomerLink.code) && !newcomerEmail.body.contains(adminLink.code))
        let requestPath = "/requests/\(newcomerLink.requestID)"

        // The new contact, not signed in, follows its link: sign-in first, then back to the link.
        let newcomerBrowser = Browser(port: world.server.port)
        let anonymous = try newcomerBrowser.get(newcomerLink.target)
        #expect(anonymous.status == 303)
        let signInTarget = try #require(anonymous.header("Location"))
        #expect(signInTarget.hasPrefix("/sign-in?next="))
        let signInPage = try newcomerBrowser.get(signInTarget)
        #expect(signInPage.status == 200)
        let next = try #require(Page.inputValue("next", in: signInPage))
        #expect(next == newcomerLink.target)
        let signedIn = try newcomerBrowser.post("/sign-in", form: [
            ("csrf", try #require(Page.csrf(in: signInPage))), ("customer_id", world.newcomer.id),
            ("password", world.newcomer.password), ("next", next),
        ])
        #expect(signedIn.status == 303)
        #expect(signedIn.header("Location") == newcomerLink.target)

        let opened = try newcomerBrowser.get(newcomerLink.target)
        #expect(opened.status == 200)
        #expect(opened.header("Content-Language") == languageTag(language))
        #expect(Page.inputValue("code", in: opened) == newcomerLink.code, "the code is filled in")
        #expect(Page.text(opened).contains(try CatalogText.string("request_waiting_you", language)))
        #expect(opened.headerValues("Cache-Control") == ["no-store"])
        let accepted = try newcomerBrowser.post(requestPath + "/accept", form: [
            ("csrf", try #require(Page.csrf(in: opened))), ("code", try #require(Page.inputValue("code", in: opened))),
        ])
        #expect(accepted.status == 303)
        #expect(accepted.header("Location") == requestPath + "?notice=accepted")
        #expect(try world.techCell(adminBrowser).hasPrefix(world.oldTech.id), "one confirmation is not enough")
        #expect(try world.mailbox.deliver().isEmpty, "a partial acceptance sends no email")

        // The administrator, already signed in, follows its own link and accepts last.
        let adminOpened = try adminBrowser.get(adminLink.target)
        #expect(adminOpened.status == 200)
        #expect(Page.inputValue("code", in: adminOpened) == adminLink.code)
        let done = try adminBrowser.post(requestPath + "/accept", form: [
            ("csrf", try #require(Page.csrf(in: adminOpened))), ("code", adminLink.code),
        ])
        #expect(done.status == 303)
        #expect(done.header("Location") == requestPath + "?notice=done")
        #expect(Page.requestState(in: try adminBrowser.get(requestPath)) == "done")

        // The contacts table shows the change at once, to the old and the new holder's eyes too.
        let techCell = try world.techCell(adminBrowser)
        #expect(techCell.hasPrefix(world.newcomer.id), "\(techCell)")
        #expect(techCell.contains(world.newcomer.name))
        #expect(try world.techCell(newcomerBrowser).hasPrefix(world.newcomer.id))

        // Requester, new and old contact are told, in their language, without any code.
        let completion = try world.mailbox.deliver()
        #expect(completion.count == 3, "\(completion)")
        #expect(Set(completion.map(\.to)) == [world.admin.email, world.newcomer.email, world.oldTech.email])
        for email in completion {
            #expect(email.formProblems.isEmpty, "\(email): \(email.formProblems)")
            #expect(email.subject == (try CatalogText.string("email_done_subject", language, world.service)))
            #expect(!email.body.contains("?code="), "\(email.body)")
            #expect(!email.body.contains(adminLink.code) && !email.body.contains(newcomerLink.code))
            #expect(email.links.contains(world.base + requestPath), "\(email.links)")
        }

        // A used code is used up.
        let again = try newcomerBrowser.post(requestPath + "/accept", form: [
            ("csrf", try #require(Page.csrf(in: try newcomerBrowser.get(requestPath)))), ("code", newcomerLink.code),
        ])
        #expect(again.status == 409)
        #expect(!world.server.allLogs().contains(newcomerLink.code) && !world.server.allLogs().contains(adminLink.code),
                "codes never reach a log")
    }

    // MARK: - 2. A refusal

    @Test(arguments: EndToEndEngine.allCases)
    func aRefusalChangesNothingAndEverybodyInvolvedIsTold(_ engine: EndToEndEngine) throws {
        guard engine.isAvailable else { return }
        // Three languages in one request: each email in its recipient's own.
        let world = try World(tag: "rf", language: "pt", newcomerLanguage: "it", oldTechLanguage: "pl", engine: engine)
        let adminBrowser = Browser(port: world.server.port)
        try adminBrowser.signIn(world.admin)
        let editURL = try world.editURL(adminBrowser)
        #expect(try adminBrowser.submit(editURL, from: editURL, form: [("new_tech", world.newcomer.id)]).status == 303)

        let requestEmails = try world.mailbox.deliver()
        let (_, adminLink) = try world.codeLink(to: world.admin, in: requestEmails)
        let (newcomerEmail, newcomerLink) = try world.codeLink(to: world.newcomer, in: requestEmails)
        #expect(newcomerEmail.subject == (try CatalogText.string("email_confirm_subject", "it", world.service)))
        let requestPath = "/requests/\(newcomerLink.requestID)"

        let newcomerBrowser = Browser(port: world.server.port)
        try newcomerBrowser.signIn(world.newcomer)
        let opened = try newcomerBrowser.get(newcomerLink.target)
        #expect(Page.inputValue("code", in: opened) == newcomerLink.code)
        // The refuse button posts the same form to /refuse.
        #expect(opened.text.contains(#"formaction="\#(requestPath)/refuse""#))
        let refused = try newcomerBrowser.post(requestPath + "/refuse", form: [
            ("csrf", try #require(Page.csrf(in: opened))), ("code", newcomerLink.code),
        ])
        #expect(refused.status == 303)
        #expect(refused.header("Location") == requestPath + "?notice=refused")

        // Holders unchanged; the request is over for everybody: the requester's code no longer works.
        #expect(try world.techCell(adminBrowser).hasPrefix(world.oldTech.id))
        #expect(Page.requestState(in: try adminBrowser.get(requestPath)) == "refused")
        let late = try adminBrowser.post(requestPath + "/accept", form: [
            ("csrf", try #require(Page.csrf(in: try adminBrowser.get(adminLink.target)))), ("code", adminLink.code),
        ])
        #expect(late.status == 409)
        #expect(try world.techCell(adminBrowser).hasPrefix(world.oldTech.id))
        // The edit page offers the technical field again.
        #expect(try adminBrowser.get(editURL).text.contains(#"name="new_tech""#))

        // Requester (pt), new contact (it) and the contact that would have been replaced (pl).
        let outcome = try world.mailbox.deliver()
        #expect(outcome.count == 3, "\(outcome)")
        let byAddress = Dictionary(outcome.map { ($0.to, $0) }, uniquingKeysWith: { first, _ in first })
        for account in [world.admin, world.newcomer, world.oldTech] {
            let email = try #require(byAddress[account.email], "an email to \(account.id)")
            #expect(email.formProblems.isEmpty, "\(email.formProblems)")
            #expect(email.contentLanguage == account.language)
            #expect(email.subject == (try CatalogText.string("email_refused_subject", account.language, world.service)))
            #expect(email.body.contains(try CatalogText.string("email_refused_intro", account.language, world.newcomer.described, world.service)),
                    "\(email.body)")
            #expect(!email.body.contains("?code="))
        }
    }

    // MARK: - 3. Billing changes and the payment rule

    @Test(arguments: EndToEndEngine.allCases)
    func theBillingPaymentRuleIsCheckedWhenAskingAndWhenTakingEffect(_ engine: EndToEndEngine) throws {
        guard engine.isAvailable else { return }
        let world = try World(tag: "bl", language: "pl", separateBilling: true, engine: engine)
        let adminBrowser = Browser(port: world.server.port)
        try adminBrowser.signIn(world.admin)
        let editURL = try world.editURL(adminBrowser)

        // The new billing contact is overdue: 422 naming it, no request, no email.
        try world.server.setPayment(world.newcomer, overdue: true)
        let page = try adminBrowser.get(editURL)
        #expect(page.text.contains(#"name="new_billing""#), "the current billing contact is up to date: the field is open")
        let refused = try adminBrowser.submit(editURL, from: editURL, form: [("new_billing", world.newcomer.id)])
        #expect(refused.status == 422)
        #expect(Page.text(refused).contains(try CatalogText.string("edit_error_payment", "pl", world.newcomer.described)), "\(Page.text(refused))")
        #expect(Page.inputValue("new_billing", in: refused) == world.newcomer.id, "what was typed is kept")
        #expect(try world.mailbox.deliver().isEmpty, "no email for a refused change")
        #expect(try world.billingCell(adminBrowser).hasPrefix(world.billing.id))
        #expect(!Page.text(try adminBrowser.get("/requests")).contains(world.service), "no request was made")

        // The current billing contact is overdue: the field is disabled before anything is typed,
        // with the reason naming who, and the server refuses a forged POST all the same.
        try world.server.setPayment(world.newcomer, overdue: false)
        try world.server.setPayment(world.billing, overdue: true)
        let blocked = try adminBrowser.get(editURL)
        #expect(blocked.status == 200)
        #expect(!blocked.text.contains(#"name="new_billing""#))
        #expect(!blocked.text.contains(#"name="take_billing""#))
        #expect(blocked.text.contains(#"name="new_tech""#), "other roles stay editable")
        #expect(Page.text(blocked).contains(try CatalogText.string("edit_billing_blocked", "pl", world.billing.described)))
        let forced = try adminBrowser.submit(editURL, from: editURL, form: [("new_billing", world.newcomer.id)])
        #expect(forced.status == 422)
        #expect(Page.text(forced).contains(world.billing.described))
        #expect(try world.mailbox.deliver().isEmpty)

        // Both up to date: the request is made; the new contact falls behind before the last
        // acceptance, so the change fails and everybody involved is told.
        try world.server.setPayment(world.billing, overdue: false)
        #expect(try adminBrowser.submit(editURL, from: editURL, form: [("new_billing", world.newcomer.id)]).status == 303)
        let requestEmails = try world.mailbox.deliver()
        #expect(requestEmails.count == 2, "\(requestEmails)")
        let (_, adminLink) = try world.codeLink(to: world.admin, in: requestEmails)
        let (_, newcomerLink) = try world.codeLink(to: world.newcomer, in: requestEmails)
        let requestPath = "/requests/\(adminLink.requestID)"
        let newcomerBrowser = Browser(port: world.server.port)
        try newcomerBrowser.signIn(world.newcomer)
        #expect(try newcomerBrowser.submit(requestPath + "/accept", from: newcomerLink.target, form: [("code", newcomerLink.code)]).status == 303)
        try world.server.setPayment(world.newcomer, overdue: true)
        let last = try adminBrowser.submit(requestPath + "/accept", from: adminLink.target, form: [("code", adminLink.code)])
        #expect(last.status == 303)
        #expect(Page.requestState(in: try adminBrowser.get(requestPath)) == "failed")
        #expect(try world.billingCell(adminBrowser).hasPrefix(world.billing.id), "the billing contact did not change")
        let outcome = try world.mailbox.deliver()
        #expect(Set(outcome.map(\.to)) == [world.admin.email, world.newcomer.email, world.billing.email], "\(outcome)")
        for email in outcome {
            #expect(email.subject == (try CatalogText.string("email_failed_subject", "pl", world.service)))
            #expect(!email.body.contains("?code="))
        }
    }

    // MARK: - 4. Opening a link changes nothing; codes stay out of the logs

    @Test(arguments: EndToEndEngine.allCases)
    func openingACodeLinkChangesNothingAndLeavesNoCodeInTheLogs(_ engine: EndToEndEngine) throws {
        guard engine.isAvailable else { return }
        let world = try World(tag: "op", language: "it", engine: engine)
        let adminBrowser = Browser(port: world.server.port)
        try adminBrowser.signIn(world.admin)
        let editURL = try world.editURL(adminBrowser)
        #expect(try adminBrowser.submit(editURL, from: editURL, form: [("new_tech", world.newcomer.id)]).status == 303)
        let requestEmails = try world.mailbox.deliver()
        let (_, adminLink) = try world.codeLink(to: world.admin, in: requestEmails)
        let (_, newcomerLink) = try world.codeLink(to: world.newcomer, in: requestEmails)
        let requestPath = "/requests/\(newcomerLink.requestID)"

        // What a mail scanner does: GET and HEAD, anonymous and signed in, more than once.
        let scanner = HTTPTestClient(port: world.server.port)
        for method in ["GET", "HEAD"] {
            let response = try scanner.send(method, newcomerLink.target)
            #expect(response.status == 303, "\(method) anonymous")
            #expect(response.header("Location")?.hasPrefix("/sign-in?next=") == true)
        }
        let newcomerBrowser = Browser(port: world.server.port)
        try newcomerBrowser.signIn(world.newcomer)
        for method in ["GET", "HEAD", "GET"] {
            let response = try newcomerBrowser.send(method, newcomerLink.target)
            #expect(response.status == 200, "\(method) signed in")
            #expect(response.header("Cache-Control") == "no-store")
            // One policy, the app's: the address carries a code.
            #expect(response.headerValues("Referrer-Policy") == ["no-referrer"], "\(response.headerValues("Referrer-Policy"))")
        }
        #expect(try adminBrowser.send("HEAD", adminLink.target).status == 200)
        _ = try adminBrowser.get(adminLink.target)

        // Still waiting for both, holders unchanged, no email sent.
        let page = try adminBrowser.get(requestPath)
        #expect(Page.requestState(in: page) == "waiting")
        let awaited = try CatalogText.string("request_awaited", "it")
        #expect(Page.text(page).components(separatedBy: awaited).count - 1 == 2, "both confirmations still awaited")
        #expect(try world.techCell(adminBrowser).hasPrefix(world.oldTech.id))
        #expect(try world.mailbox.deliver().isEmpty)

        // The opened codes still work: opening did not use them up.
        #expect(try newcomerBrowser.submit(requestPath + "/accept", from: requestPath, form: [("code", newcomerLink.code)])
            .header("Location") == requestPath + "?notice=accepted")

        // Every visit is in the access log, without its query.
        let log = world.server.accessLogText(lines: 10)
        #expect(log.contains("\"GET \(requestPath) HTTP/1.1\" 303"), "\(log)")
        #expect(log.contains("\"HEAD \(requestPath) HTTP/1.1\" 200"), "\(log)")
        #expect(!log.contains("code="), "\(log)")
        #expect(!log.contains("?"))
        let logs = world.server.allLogs()
        #expect(!logs.contains(newcomerLink.code) && !logs.contains(adminLink.code))
    }
}
