import ContactsDomain
import Foundation
import Localization
import Testing
@testable import WebApp

/// Every compiled page, in every language, with plain, marked-up, long and empty values, gives
/// exactly the bytes swift-mustache gives for the same view model.
@Suite struct CompiledTemplatesTests {
    typealias R = ReferenceRendering

    static let arguments: [(Language, Int)] = Language.allCases.flatMap { language in
        (0..<EdgeValues.count).map { (language, $0) }
    }

    static func layout(_ language: Language, _ text: (String) -> String, signedIn: Bool) -> LayoutView {
        let strings = Strings(catalog: R.catalog, language: language)
        return LayoutView(
            t: strings, lang: language.tag, pageTitle: text("Tytuł"), signedIn: signedIn,
            accountID: signedIn ? text("aa123-ovh") : nil, accountName: signedIn ? text("Anna Nowak") : nil,
            csrf: text("csrf-token"), navContacts: signedIn, navRequests: false, navProfile: !signedIn,
            languages: Language.allCases.map {
                LanguageLink(code: $0.tag, name: text($0.rawValue), url: text("/language?set=\($0.rawValue)&back=%2F"), current: $0 == language)
            })
    }

    static func expectSame<Page: PageView>(_ template: String, _ page: Page, _ layout: LayoutView) {
        let compiled = R.compiled(page, layout: layout)
        let reference = R.reference(template, page, layout: layout)
        #expect(compiled.utf8.count > 300 && compiled.contains("</html>"))
        #expect(compiled == reference, "\(template) differs from swift-mustache at \(firstDifference(compiled, reference))")
    }

    static func firstDifference(_ a: String, _ b: String) -> String {
        let a = Array(a.utf8), b = Array(b.utf8)
        let index = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        return "byte \(index): \(String(decoding: a[index...].prefix(80), as: UTF8.self)) vs \(String(decoding: b[index...].prefix(80), as: UTF8.self))"
    }

    @Test(arguments: arguments)
    func errorPage(language: Language, edge: Int) {
        let text = EdgeValues.text(edge)
        for signedIn in [false, true] {
            Self.expectSame("error", ErrorPageView(message: text("Nie znaleziono")), Self.layout(language, text, signedIn: signedIn))
        }
    }

    static func contactsPage(_ text: (String) -> String, rows: Int, filtered: Bool, paging: Bool) -> ContactsPageView {
        let options = (0..<3).map { OptionView(value: text("v\($0)"), label: text("opcja \($0)"), selected: $0 == 1) }
        let rowViews = (0..<rows).map { index in
            ContactRowView(
                name: text("sklep-\(index).pl"), type: text("Domena"),
                adminID: text("aa\(index)-ovh"), adminName: text("Anna"), adminMine: index % 2 == 0,
                techID: text("tt\(index)-ovh"), techName: text("Tomasz"), techMine: index % 3 == 0,
                billingID: text("bb\(index)-ovh"), billingName: text("Beata"), billingMine: index % 5 == 0,
                myRoles: text("administracyjny"), editURL: text("/services/\(index)/edit"), serviceURL: text("/services/\(index)"),
                editLabel: text("Zmień sklep-\(index).pl"), canEdit: index % 4 != 1, noEditReason: text("Otwarte zgłoszenie"))
        }
        return ContactsPageView(
            rows: rowViews, hasRows: !rowViews.isEmpty, filtered: filtered, resetURL: "/contacts",
            summary: text("12 usług"), range: text("1–50 z 12"), text: text("sklep"),
            roleOptions: options, typeOptions: options, sortOptions: options, sizeOptions: options,
            nameSortURL: text("/contacts?sort=name-desc"), typeSortURL: text("/contacts?sort=type"),
            nameSort: text("ascending"), typeSort: text("none"),
            firstURL: paging ? text("/contacts") : nil, previousURL: paging ? text("/contacts?before=x") : nil,
            nextURL: paging ? text("/contacts?after=y") : nil,
            typeHeading: text("Typ"), adminHeading: text("Administracyjny"), techHeading: text("Techniczny"),
            billingHeading: text("Rozliczeniowy"), rolesHeading: text("Twoje role"),
            you: text("Ty"), editShort: text("Zmień"))
    }

    @Test(arguments: arguments)
    func contactsPage(language: Language, edge: Int) {
        let text = EdgeValues.text(edge)
        let layout = Self.layout(language, text, signedIn: true)
        for (rows, filtered, paging) in [(0, false, false), (0, true, false), (1, false, false), (50, true, true), (7, false, true)] {
            Self.expectSame("contacts", Self.contactsPage(text, rows: rows, filtered: filtered, paging: paging), layout)
        }
    }
}

/// `{{t.key}}` is the one name a compiled template looks up at run time: every key must be in
/// the catalog, in every language (a missing one would print the key itself).
@Suite struct TemplateCatalogKeysTests {
    @Test func everyCatalogKeyOfTheTemplatesExists() throws {
        let folder = ReferenceRendering.templatesDirectory
        let expression = try Regex(#"\{\{\s*t\.([a-z0-9_]+)\s*\}\}"#)
        var keys = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".mustache") {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            for match in text.matches(of: expression) {
                let key = String(match.output[1].substring ?? "")
                keys += 1
                for language in Language.allCases {
                    #expect(ReferenceRendering.catalog.string(key, language) != key, "\(file): t.\(key) is not in the catalog (\(language))")
                }
            }
        }
        #expect(keys > 100)
    }
}
