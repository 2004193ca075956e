import ContactsDomain
import Foundation
import Testing
@testable import ContactsStore

/// 2,000 services on which `re1-ovh` holds one to three roles, and 300 it has nothing to do
/// with. Some names repeat across types, so the service ID has to break ties. Nil when
/// PostgreSQL is not available outside CI.
private func bigWorld(_ kind: StoreEngineKind) throws -> TestStore? {
    guard let store = try kind.makeStore() else { return nil }
    try store.engine.given(accounts: "re1-ovh", "cu2-ovh", "cu3-ovh", "cu4-ovh")
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
    try store.engine.addServices(services)
    return store
}

/// What the page query should return, computed in Swift from the services themselves.
private func expectedRows(
    _ store: TestStore, sort: ContactsSort, descending: Bool, role: Role? = nil, type: ServiceType? = nil
) throws -> [Int64] {
    let me = cid("re1-ovh")
    let services = try store.rows("SELECT id, name, type, admin_id, tech_id, billing_id FROM service").map { row in
        StoredService(
            id: Int64(row["id"]!)!, name: row["name"]!, type: ServiceType(rawValue: row["type"]!)!,
            administrative: cid(row["admin_id"]!), technical: cid(row["tech_id"]!), billing: cid(row["billing_id"]!))
    }
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
    @Test(arguments: StoreEngineKind.allCases, [
        (ContactsSort.name, false), (ContactsSort.name, true), (ContactsSort.type, false), (ContactsSort.type, true),
    ])
    func pagingToTheEndAndBackVisitsEveryRowOnceInOrder(_ kind: StoreEngineKind, _ order: (sort: ContactsSort, descending: Bool)) throws {
        let (sort, descending) = order
        // Given 2,000 services of one account
        guard let store = try bigWorld(kind) else { return }
        let me = cid("re1-ovh")
        let expected = try expectedRows(store, sort: sort, descending: descending)
        #expect(expected.count == 2_000)

        // When paging forward to the end, 37 rows at a time
        var forward: [Int64] = []
        var query = ContactsQuery(sort: sort, descending: descending, limit: 37)
        var page = try store.engine.contactsPage(for: me, query: query)
        #expect(page.previousCursor == nil)
        var pages = 1
        while true {
            #expect(page.totalCount == 2_000)
            forward += page.rows.map(\.serviceID)
            guard let next = page.nextCursor else { break }
            query.cursor = next
            query.direction = .forward
            page = try store.engine.contactsPage(for: me, query: query)
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
            page = try store.engine.contactsPage(for: me, query: query)
            #expect(page.rows.count == 37)
            #expect(page.nextCursor != nil)
            backward = page.rows.map(\.serviceID) + backward
        }
        // Then the same rows came back, in the same order
        #expect(backward == expected)
    }

    @Test(arguments: StoreEngineKind.allCases, Role.allCases)
    func pagingWithARoleFilter(_ kind: StoreEngineKind, role: Role) throws {
        guard let store = try bigWorld(kind) else { return }
        let me = cid("re1-ovh")
        let expected = try expectedRows(store, sort: .name, descending: false, role: role)
        var seen: [Int64] = []
        var query = ContactsQuery(role: role, limit: 200)
        while true {
            let page = try store.engine.contactsPage(for: me, query: query)
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

    @Test(arguments: StoreEngineKind.allCases, [
        (ContactsSort.name, false), (ContactsSort.name, true), (ContactsSort.type, false), (ContactsSort.type, true),
    ])
    func pagingWithATypeFilter(_ kind: StoreEngineKind, _ order: (sort: ContactsSort, descending: Bool)) throws {
        let (sort, descending) = order
        guard let store = try bigWorld(kind) else { return }
        let me = cid("re1-ovh")
        let expected = try expectedRows(store, sort: sort, descending: descending, type: .vps)
        var seen: [Int64] = []
        var query = ContactsQuery(type: .vps, sort: sort, descending: descending, limit: 45)
        var page = try store.engine.contactsPage(for: me, query: query)
        while true {
            #expect(page.totalCount == expected.count)
            #expect(page.rows.allSatisfy { $0.type == .vps })
            seen += page.rows.map(\.serviceID)
            guard let next = page.nextCursor else { break }
            query.cursor = next
            page = try store.engine.contactsPage(for: me, query: query)
        }
        #expect(seen == expected)
        // And back to the start
        var back = page.rows.map(\.serviceID)
        query.direction = .backward
        while let previous = page.previousCursor {
            query.cursor = previous
            page = try store.engine.contactsPage(for: me, query: query)
            back = page.rows.map(\.serviceID) + back
        }
        #expect(back == expected)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func typeSortCursorFromAnotherTypeStartsOverUnderATypeFilter(_ kind: StoreEngineKind) throws {
        guard let store = try bigWorld(kind) else { return }
        let me = cid("re1-ovh")
        let domains = try store.engine.contactsPage(for: me, query: ContactsQuery(sort: .type, limit: 10))
        #expect(domains.rows.allSatisfy { $0.type == .domain })
        let vps = try store.engine.contactsPage(
            for: me, query: ContactsQuery(type: .vps, sort: .type, cursor: domains.nextCursor, limit: 10))
        let first = try store.engine.contactsPage(for: me, query: ContactsQuery(type: .vps, sort: .type, limit: 10))
        #expect(vps == first)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func myRolesMatchTheServices(_ kind: StoreEngineKind) throws {
        guard let store = try bigWorld(kind) else { return }
        let me = cid("re1-ovh")
        let page = try store.engine.contactsPage(for: me, query: ContactsQuery(limit: 200))
        for row in page.rows {
            let holders = try #require(try store.engine.roleHolders(ofService: row.serviceID)).holders
            #expect(row.myRoles == holders.roles(of: me))
            #expect(row.administrative.id == holders.administrative)
            #expect(row.technical.id == holders.technical)
            #expect(row.billing.id == holders.billing)
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func membershipMatchesServicesAtScale(_ kind: StoreEngineKind) throws {
        guard let store = try bigWorld(kind) else { return }
        #expect(try store.storedMemberships() == store.expectedMemberships())
    }
}
