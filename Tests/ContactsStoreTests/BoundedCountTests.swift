import ContactsDomain
import Foundation
import Testing
@testable import ContactsStore

/// A filtered count stops after `ContactsPage.filteredCountBound` + 1 matches; the unfiltered one
/// stays exact.
@Suite struct BoundedCountTests {
    private let bound = ContactsPage.filteredCountBound

    /// An account with `bound + 2` services: technical contact on `bound + 1` of them, on the
    /// last one only administrative. Names matching "match" on exactly `bound` of them.
    private func world() throws -> (AppDatabase, CustomerID) {
        let db = try AppDatabase.temporary()
        try db.createAccounts(
            [(makeAccount("re1-ovh", name: "Reseller"), someHash), (makeAccount("cu1-ovh", name: "Customer"), someHash)],
            now: now)
        let reseller = cid("re1-ovh"), customer = cid("cu1-ovh")
        let services = (0..<(bound + 2)).map { i in
            NewService(
                name: (i < bound ? "match-\(i).pl" : "other-\(i).pl"), type: .domain,
                administrative: i == bound + 1 ? reseller : customer,
                technical: i == bound + 1 ? customer : reseller,
                billing: customer)
        }
        _ = try db.addServices(services)
        return (db, reseller)
    }

    @Test func theUnfilteredCountIsExact() throws {
        let (db, reseller) = try world()
        let page = try db.contactsPage(for: reseller, query: ContactsQuery())
        #expect(page.totalCount == bound + 2)
        #expect(!page.totalCountIsBounded)
    }

    @Test func aFilterMatchingMoreThanTheBoundStopsAtIt() throws {
        let (db, reseller) = try world()
        let page = try db.contactsPage(for: reseller, query: ContactsQuery(role: .technical))
        #expect(page.totalCount == bound)
        #expect(page.totalCountIsBounded)
        #expect(page.rows.count == 50)
        #expect(page.nextCursor != nil)
    }

    @Test func aFilterMatchingExactlyTheBoundIsExact() throws {
        let (db, reseller) = try world()
        var query = ContactsQuery()
        query.text = "match"
        let page = try db.contactsPage(for: reseller, query: query)
        #expect(page.totalCount == bound)
        #expect(!page.totalCountIsBounded)
        let administrative = try db.contactsPage(for: reseller, query: ContactsQuery(role: .administrative))
        #expect(administrative.totalCount == 1)
        #expect(!administrative.totalCountIsBounded)
    }

    @Test func theFilteredCountSQLReadsAtMostTheBoundPlusOne() {
        let bounded = ContactsPageQuery(account: cid("re1-ovh"), query: ContactsQuery(role: .billing), dialect: .sqlite).countStatement().sql
        #expect(bounded.hasSuffix("LIMIT \(bound + 1)"))
        let exact = ContactsPageQuery(account: cid("re1-ovh"), query: ContactsQuery(), dialect: .sqlite).countStatement().sql
        #expect(!exact.contains("LIMIT"))
    }
}
