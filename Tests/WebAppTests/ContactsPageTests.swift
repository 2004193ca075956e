import ContactsDomain
import ContactsStore
import Foundation
import HTTPCore
import Testing
@testable import WebApp

@Suite struct ContactsPageTests {
    /// An account holding different roles on a known set of services.
    struct Fixture {
        let test: TestApp
        let me: CustomerID
        let other: CustomerID
        let browser: Browser

        init(services: Int = 0) throws {
            test = try TestApp()
            me = try test.addAccount("me100-ovh", name: "Maria <Me>")
            other = try test.addAccount("ot200-ovh", name: "Otto")
            try test.database.addService(name: "alpha.pl", type: .domain, administrative: me, technical: other, billing: other)
            try test.database.addService(name: "beta-hosting", type: .webHosting, administrative: other, technical: me, billing: other)
            try test.database.addService(name: "gamma.vps.example", type: .vps, administrative: other, technical: other, billing: me)
            try test.database.addService(name: "not-mine.pl", type: .domain, administrative: other, technical: other, billing: other)
            for index in 0..<services {
                try test.database.addService(name: String(format: "bulk-%04d.pl", index), type: .email, administrative: me, technical: me, billing: other)
            }
            browser = test.browser()
            browser.signIn("me100-ovh")
        }

        /// Service names in the order the page lists them.
        func names(_ target: String) throws -> [String] {
            let response = browser.get(target)
            try #require(response.status == .ok)
            // The name is the link to the service page.
            return response.bodyText.components(separatedBy: "<th scope=\"row\">").dropFirst().map {
                let cell = $0.hasPrefix("<a ") ? $0.drop { $0 != ">" }.dropFirst() : $0[...]
                return String(cell.prefix { $0 != "<" })
            }
        }
    }

    @Test func listsEveryServiceWithARoleAndMarksTheAccountsOwnRoles() throws {
        let fixture = try Fixture()
        let page = fixture.browser.get("/contacts").bodyText
        #expect(try fixture.names("/contacts") == ["alpha.pl", "beta-hosting", "gamma.vps.example"])
        #expect(page.count(of: "class=\"mine\"") == 3)
        #expect(page.contains("Maria &lt;Me&gt;"))
        #expect(!page.contains("Maria <Me>"))
        #expect(page.contains(fixture.test.app.text("service_type_hosting", .pl)))
    }

    /// The type order is the catalogue's (domain first), not the alphabet of the page's language
    /// ("Baza danych" would come first in Polish): the option says so in every language.
    @Test func theTypeSortSaysWhichTypesComeFirst() throws {
        let fixture = try Fixture()
        for language in [Language.pl, .pt, .it] {
            fixture.browser.get("/language?set=\(language.rawValue)&back=/contacts")
            #expect(try fixture.names("/contacts?sort=type") == ["alpha.pl", "beta-hosting", "gamma.vps.example"])
            let page = fixture.browser.get("/contacts").bodyText
            for key in ["sort_type_asc", "sort_type_desc"] {
                let label = fixture.test.app.text(key, language)
                #expect(page.contains(label))
                #expect(!label.contains("A–Z") && !label.contains("Z–A"), "\(key) in \(language) promises an alphabetical order")
            }
            #expect(fixture.test.app.text("sort_type_asc", language).localizedCaseInsensitiveContains(
                String(fixture.test.app.text("service_type_domain", language).prefix(4))))
        }
    }

    @Test func filtersByRoleTypeAndText() throws {
        let fixture = try Fixture()
        #expect(try fixture.names("/contacts?role=tech") == ["beta-hosting"])
        #expect(try fixture.names("/contacts?role=billing") == ["gamma.vps.example"])
        #expect(try fixture.names("/contacts?type=domain") == ["alpha.pl"])
        #expect(try fixture.names("/contacts?q=VPS") == ["gamma.vps.example"])
        #expect(try fixture.names("/contacts?q=%25") == [])
        let empty = fixture.browser.get("/contacts?q=nothing-like-this").bodyText
        #expect(empty.contains(fixture.test.app.text("contacts_empty_filtered", .pl)))
    }

    @Test func sortsByNameAndTypeBothWays() throws {
        let fixture = try Fixture()
        #expect(try fixture.names("/contacts?sort=name-desc") == ["gamma.vps.example", "beta-hosting", "alpha.pl"])
        // domain < hosting < vps
        #expect(try fixture.names("/contacts?sort=type") == ["alpha.pl", "beta-hosting", "gamma.vps.example"])
        #expect(try fixture.names("/contacts?sort=type-desc") == ["gamma.vps.example", "beta-hosting", "alpha.pl"])
    }

    @Test func pagesForwardToTheEndAndBackWithoutLosingARow() throws {
        let fixture = try Fixture(services: 120)
        var seen: [String] = []
        var target: String? = "/contacts?size=25&q=bulk"
        var pages = 0
        while let current = target {
            seen += try fixture.names(current)
            target = fixture.browser.lastPage.firstLink(rel: "next")
            pages += 1
        }
        #expect(pages == 5)
        #expect(seen == (0..<120).map { String(format: "bulk-%04d.pl", $0) })

        let previous = try #require(fixture.browser.lastPage.firstLink(rel: "prev"))
        #expect(try fixture.names(previous) == (75..<100).map { String(format: "bulk-%04d.pl", $0) })
        #expect(fixture.browser.lastPage.contains("76–100"))
    }

    @Test func theAddressKeepsTheViewSoLinksCarryFilters() throws {
        let fixture = try Fixture(services: 60)
        fixture.browser.get("/contacts?q=bulk&role=admin&sort=name-desc")
        let next = try #require(fixture.browser.lastPage.firstLink(rel: "next"))
        #expect(next.contains("q=bulk") && next.contains("role=admin") && next.contains("sort=name-desc"))
        #expect(try fixture.names(next).first == "bulk-0009.pl")
    }

    @Test func aFilterMatchingMoreThanTheBoundSaysMoreThan() throws {
        let fixture = try Fixture()
        let bound = ContactsPage.filteredCountBound
        _ = try fixture.test.database.addServices((0...bound).map {
            NewService(name: String(format: "bulk-%04d.pl", $0), type: .email,
                       administrative: fixture.other, technical: fixture.me, billing: fixture.other)
        })
        let catalog = fixture.test.app.catalog
        let filtered = fixture.browser.get("/contacts?role=tech").bodyText
        #expect(filtered.contains(catalog.plural("contacts_summary_more", count: bound, .pl).htmlEscaped))
        #expect(filtered.contains(catalog.string("page_range_more", .pl, .integer(1), .integer(50), .integer(bound)).htmlEscaped))
        #expect(filtered.contains("Ponad 1000 usług · Usługi 1–50 z ponad 1000"))
        // Unfiltered, the count stays exact: the three fixture services plus the bulk ones.
        let all = fixture.browser.get("/contacts").bodyText
        #expect(all.contains(catalog.plural("contacts_summary", count: bound + 4, .pl).htmlEscaped))
        // Below the bound a filter's count is exact.
        let small = fixture.browser.get("/contacts?role=billing").bodyText
        #expect(small.contains(catalog.plural("contacts_summary", count: 1, .pl).htmlEscaped))
    }

    @Test(arguments: ["role=owner", "type=boat", "sort=price", "size=7", "after=garbage", "before=%20", "start=-3", "q=%ZZ", "q=" + String(repeating: "x", count: 101)])
    func refusesValuesNoLinkProduces(_ query: String) throws {
        let fixture = try Fixture()
        let response = fixture.browser.get("/contacts?\(query)")
        #expect(response.status == .badRequest)
        #expect(response.bodyText.contains(fixture.test.app.text("error_400", .pl)))
    }
}

extension String {
    /// The href of the first link with the given rel, unescaped as a browser would.
    func firstLink(rel: String) -> String? {
        guard let marker = range(of: "rel=\"\(rel)\"") else { return nil }
        let before = self[..<marker.lowerBound]
        guard let hrefStart = before.range(of: "href=\"", options: .backwards) else { return nil }
        let href = before[hrefStart.upperBound...].prefix { $0 != "\"" }
        return String(href).replacingOccurrences(of: "&amp;", with: "&")
    }
}
