import ContactsDomain
import Foundation
import GRDB
import Testing
@testable import ContactsStore

/// 2,000 services on which `re1-ovh` holds one to three roles, and 300 it has nothing to do
/// with. Some names repeat across types, so the service ID has to break ties.
private func bigWorld() throws -> AppDatabase {
    let db = try AppDatabase.temporary()
    try db.given(accounts: "re1-ovh", "cu2-ovh", "cu3-ovh", "cu4-ovh")
    let accounts = ["re1-ovh", "cu2-ovh", "cu3-ovh", "cu4-ovh"].map(cid)
    let types = ServiceType.allCases
    var services: [NewService] = []
    for i in 0..<2_300 {
        let mine = i < 2_000
        // Role pattern cycles through all seven non-empty combinations for re1.
        let pattern = mine ? (i % 7) + 1 : 0
        func holder(_ bit: Int, _ other: Int) -> CustomerID {
            pattern & bit != 0 ? accounts[0] : accounts[1 + (i + other) % 3]
        }
        services.append(NewService(
            name: "svc-\(String(format: "%04d", (i * 7_919) % 1_499)).example",
            type: types[i % types.count],
            administrative: holder(1, 0), technical: holder(2, 1), billing: holder(4, 2)))
    }
    try db.addServices(services)
    return db
}

/// What the page query should return, computed in Swift from the services themselves.
private func expectedRows(
    _ db: AppDatabase, sort: ContactsSort, descending: Bool, role: Role? = nil, type: ServiceType? = nil
) throws -> [Int64] {
    let me = cid("re1-ovh")
    let services = try db.dbPool.read { try ServiceRecord.fetchAll($0) }.compactMap(\.storedService)
    let position = Dictionary(uniqueKeysWithValues: ServiceType.allCases.enumerated().map { ($1, $0) })
    let sorted = services
        .filter { !$0.roles(of: me).isEmpty && (role == nil || $0.roles(of: me).contains(role!)) }
        .filter { type == nil || $0.type == type }
        .sorted { a, b in
            switch sort {
            case .name: (a.name, a.id) < (b.name, b.id)
            case .type: (position[a.type]!, a.name, a.id) < (position[b.type]!, b.name, b.id)
            }
        }
    return (descending ? sorted.reversed() : sorted).map(\.id)
}

@Suite struct ContactsPagingTests {
    @Test(arguments: [
        (ContactsSort.name, false), (ContactsSort.name, true), (ContactsSort.type, false), (ContactsSort.type, true),
    ])
    func pagingToTheEndAndBackVisitsEveryRowOnceInOrder(sort: ContactsSort, descending: Bool) throws {
        // Given 2,000 services of one account
        let db = try bigWorld()
        let me = cid("re1-ovh")
        let expected = try expectedRows(db, sort: sort, descending: descending)
        #expect(expected.count == 2_000)

        // When paging forward to the end, 37 rows at a time
        var forward: [Int64] = []
        var query = ContactsQuery(sort: sort, descending: descending, limit: 37)
        var page = try db.contactsPage(for: me, query: query)
        #expect(page.previousCursor == nil)
        var pages = 1
        while true {
            #expect(page.totalCount == 2_000)
            forward += page.rows.map(\.serviceID)
            guard let next = page.nextCursor else { break }
            query.cursor = next
            query.direction = .forward
            page = try db.contactsPage(for: me, query: query)
            pages += 1
            #expect(page.previousCursor != nil)
        }
        // Then every row came once, in order, on ceil(2000 / 37) pages
        #expect(forward == expected)
        #expect(pages == 55)
        #expect(page.rows.count == 2_000 - 54 * 37)

        // When paging back from the last page to the first
        var backward = page.rows.map(\.serviceID)
        while let previous = page.previousCursor {
            query.cursor = previous
            query.direction = .backward
            page = try db.contactsPage(for: me, query: query)
            #expect(page.rows.count == 37)
            #expect(page.nextCursor != nil)
            backward = page.rows.map(\.serviceID) + backward
        }
        // Then the same rows came back, in the same order
        #expect(backward == expected)
    }

    @Test(arguments: Role.allCases)
    func pagingWithARoleFilter(role: Role) throws {
        let db = try bigWorld()
        let me = cid("re1-ovh")
        let expected = try expectedRows(db, sort: .name, descending: false, role: role)
        var seen: [Int64] = []
        var query = ContactsQuery(role: role, limit: 200)
        while true {
            let page = try db.contactsPage(for: me, query: query)
            // A filtered count stops at the bound (BoundedCountTests).
            #expect(page.totalCount == min(expected.count, ContactsPage.filteredCountBound))
            #expect(page.totalCountIsBounded == (expected.count > ContactsPage.filteredCountBound))
            #expect(page.rows.allSatisfy { $0.myRoles.contains(role) })
            seen += page.rows.map(\.serviceID)
            guard let next = page.nextCursor else { break }
            query.cursor = next
        }
        #expect(seen == expected)
    }

    @Test(arguments: [
        (ContactsSort.name, false), (ContactsSort.name, true), (ContactsSort.type, false), (ContactsSort.type, true),
    ])
    func pagingWithATypeFilter(sort: ContactsSort, descending: Bool) throws {
        let db = try bigWorld()
        let me = cid("re1-ovh")
        let expected = try expectedRows(db, sort: sort, descending: descending, type: .vps)
        var seen: [Int64] = []
        var query = ContactsQuery(type: .vps, sort: sort, descending: descending, limit: 45)
        var page = try db.contactsPage(for: me, query: query)
        while true {
            #expect(page.totalCount == expected.count)
            #expect(page.rows.allSatisfy { $0.type == .vps })
            seen += page.rows.map(\.serviceID)
            guard let next = page.nextCursor else { break }
            query.cursor = next
            page = try db.contactsPage(for: me, query: query)
        }
        #expect(seen == expected)
        // And back to the start
        var back = page.rows.map(\.serviceID)
        query.direction = .backward
        while let previous = page.previousCursor {
            query.cursor = previous
            page = try db.contactsPage(for: me, query: query)
            back = page.rows.map(\.serviceID) + back
        }
        #expect(back == expected)
    }

    @Test func typeSortCursorFromAnotherTypeStartsOverUnderATypeFilter() throws {
        let db = try bigWorld()
        let me = cid("re1-ovh")
        let domains = try db.contactsPage(for: me, query: ContactsQuery(sort: .type, limit: 10))
        #expect(domains.rows.allSatisfy { $0.type == .domain })
        let vps = try db.contactsPage(
            for: me, query: ContactsQuery(type: .vps, sort: .type, cursor: domains.nextCursor, limit: 10))
        let first = try db.contactsPage(for: me, query: ContactsQuery(type: .vps, sort: .type, limit: 10))
        #expect(vps == first)
    }

    @Test func myRolesMatchTheServices() throws {
        let db = try bigWorld()
        let me = cid("re1-ovh")
        let page = try db.contactsPage(for: me, query: ContactsQuery(limit: 200))
        for row in page.rows {
            let service = try #require(try db.service(row.serviceID))
            #expect(row.myRoles == service.roles(of: me))
            #expect(row.administrative.id == service.administrative)
            #expect(row.technical.id == service.technical)
            #expect(row.billing.id == service.billing)
        }
    }

    @Test func membershipMatchesServicesAtScale() throws {
        let db = try bigWorld()
        #expect(try db.storedMemberships() == db.expectedMemberships())
    }
}
