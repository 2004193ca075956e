import ContactsDomain
import Testing
@testable import WebApp

/// The other pages against swift-mustache, each with its optional parts there and absent and its
/// lists empty and filled, in every language and with every kind of value.
@Suite struct CompiledFormPagesTests {
    typealias T = CompiledTemplatesTests
    typealias Text = @Sendable (String) -> String

    static func options(_ text: Text, _ count: Int) -> [OptionView] {
        (0..<count).map { OptionView(value: text("v\($0)"), label: text("opcja \($0)"), selected: $0 == 1) }
    }

    static func maybe(_ present: Bool, _ text: Text, _ value: String) -> String? { present ? text(value) : nil }

    static func forms(_ text: Text, _ on: Bool) -> [(String, any PageView)] {
        [
            ("sign-in", SignInPageView(
                customerID: text("aa123-ovh"), next: text("/contacts?q=x&y=1"), notice: maybe(on, text, "Wylogowano"),
                formError: maybe(on, text, "Błąd"), customerIDError: maybe(on, text, "Zły ID"), passwordError: maybe(on, text, "Puste"))),
            ("email-change", EmailChangePageView(token: text("tok"), text: maybe(on, text, "Potwierdź"), formError: maybe(!on, text, "Wygasło"))),
            ("owner-email", OwnerEmailPageView(
                token: text("tok"), text: maybe(on, text, "Potwierdź"), done: maybe(!on, text, "Gotowe"), formError: maybe(on, text, "Błąd"))),
            ("mailbox", MailboxPageView(
                messages: on ? (0..<3).map { index in
                    MailView(to: text("a\(index)@example.test"), subject: text("Temat"), date: text("1 grudnia"),
                             segments: [MailSegment(text: text("Kliknij ")), MailSegment(url: text("https://x.test/?a=1&b=2")), MailSegment(text: text("\nkoniec"))])
                } : [],
                hasMessages: on)),
            ("profile", ProfilePageView(
                customerID: text("aa123-ovh"), displayName: text("Anna"), email: text("a@example.test"),
                paymentStatus: text("Opłacone"), overdue: on, languageOptions: options(text, 3), timeZoneOptions: options(text, on ? 400 : 1),
                signedInAt: maybe(on, text, "wczoraj"), pending: maybe(on, text, "b@example.test"), notice: maybe(on, text, "Zapisano"),
                formError: maybe(!on, text, "Błąd"), errorSummary: maybe(on, text, "2 błędy"), emailError: maybe(on, text, "Zły"),
                passwordError: maybe(!on, text, "Hasło"), languageError: maybe(on, text, "Język"), timeZoneError: maybe(on, text, "Strefa"))),
            ("edit", EditPageView(
                serviceID: 42, heading: text("sklep.pl"),
                fields: (0..<3).map { index in
                    EditFieldView(
                        role: text("tech"), label: text("Techniczny"), currentID: text("tt1-ovh"), currentName: text("Tomasz"),
                        isMine: index == 0, value: text("nowy"), editable: on != (index == 1), canTake: index == 2, taken: on,
                        openRequestURL: maybe(index == 1, text, "/requests/7"), lockedReason: maybe(index == 1, text, "Zablokowane"),
                        error: maybe(on, text, "Zły ID"))
                },
                anyEditable: on, registered: on, formError: maybe(on, text, "Błąd"), errorSummary: maybe(!on, text, "1 błąd"))),
        ]
    }

    static func summary(_ text: Text, _ index: Int, open: Bool) -> RequestSummaryView {
        RequestSummaryView(
            id: Int64(index), url: text("/requests/\(index)"), service: text("sklep.pl"), serviceType: text("Domena"),
            roles: text("Techniczny"), from: text("Anna (aa1-ovh)"), to: text("Beata (bb2-ovh)"), requester: text("Anna"),
            state: text("Oczekuje"), stateClass: text("state-waiting"), isOpen: open, requestedAt: text("wczoraj"),
            expiresAt: text("jutro"), waiting: open ? text("na Ciebie") : nil)
    }

    static func requests(_ text: Text, _ on: Bool) -> [(String, any PageView)] {
        let open = on ? (0..<3).map { summary(text, $0, open: true) } : []
        let history = on ? (3..<5).map { summary(text, $0, open: false) } : [summary(text, 9, open: false)]
        let header = ServiceHeaderView(
            serviceID: 42, heading: text("sklep.pl"), contacts: (0..<3).map { ServiceContactView(label: text("Rola \($0)"), id: text("aa\($0)-ovh")) })
        let rows = (0..<4).map { LabelledValue(label: text("Pole \($0)"), value: text("wartość \($0)")) }
        return [
            ("requests", RequestsPageView(
                open: open, history: history, hasOpen: !open.isEmpty, hasHistory: !history.isEmpty, hasRequests: true,
                summary: text("5 zgłoszeń"), stateOptions: options(text, 4), fromPrevious: false,
                finishedHead: TableHeadView(fromPrevious: true), firstURL: maybe(on, text, "/requests"), nextURL: maybe(!on, text, "/requests?after=x"))),
            ("request", RequestPageView(
                request: summary(text, 1, open: on), awaitingMe: on, canCancel: on, canResend: !on, code: text("123456"),
                notice: maybe(on, text, "Wysłano"), codeError: maybe(on, text, "Zły kod"), formError: maybe(!on, text, "Błąd"),
                decidedAt: maybe(!on, text, "dziś"), failure: maybe(!on, text, "Zmienili się"),
                confirmations: (0..<2).map { ConfirmationView(who: text("Osoba \($0)"), status: text("czeka"), accepted: $0 == 0) },
                events: on ? (0..<3).map { EventView(at: text("godz. \($0)"), text: text("Zdarzenie")) } : [])),
            ("service", ServicePageView(
                service: header, notice: maybe(on, text, "Zapisano"), formError: maybe(!on, text, "Błąd"), mayUpdate: on, readOnly: !on,
                owner: on ? OwnerDetailsView(rows: rows) : nil, pending: maybe(on, text, "nowy@example.test"), hasHistory: on,
                history: on ? (0..<2).map { ServiceEventView(when: text("wczoraj \($0)"), who: text("aa1-ovh"), what: text("Zmiana")) } : [])),
            ("owner-form", OwnerFormPageView(
                service: header, fixed: on ? rows : [],
                fields: (0..<5).map {
                    OwnerFieldView(name: text("owner_\($0)"), label: text("Pole"), value: text("wartość"), hint: text("Podpowiedź"),
                                   type: text("text"), error: maybe(on && $0 % 2 == 0, text, "Zły"))
                },
                formError: maybe(on, text, "Błąd"), errorSummary: maybe(on, text, "3 błędy"))),
            ("owner-preview", OwnerPreviewPageView(
                service: header, revision: 3,
                rows: (0..<5).map { OwnerChangeView(label: text("Pole"), old: text("stare"), new: text("nowe \($0)"), changed: $0 % 2 == 1) },
                hidden: (0..<5).map { HiddenFieldView(name: text("owner_\($0)"), value: text("nowe")) },
                emailPending: on, stale: !on, passwordError: maybe(on, text, "Hasło"), nothingChanged: !on)),
        ]
    }

    static func expectSame(_ template: String, _ page: any PageView, _ layout: LayoutView) {
        func open<Page: PageView>(_ page: Page) { T.expectSame(template, page, layout) }
        open(page)
    }

    @Test(arguments: CompiledTemplatesTests.arguments)
    func everyPage(language: Language, edge: Int) {
        let text = EdgeValues.text(edge)
        for on in [true, false] {
            let layout = T.layout(language, text, signedIn: on)
            for (template, page) in Self.forms(text, on) + Self.requests(text, on) {
                Self.expectSame(template, page, layout)
            }
        }
    }
}
