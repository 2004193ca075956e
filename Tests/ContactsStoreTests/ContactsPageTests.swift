import ContactsDomain
import Foundation
import Testing
@testable import ContactsStore

/// A small world seen by `me1-ovh`:
///
/// | service        | type      | admin | tech | billing | my roles |
/// |----------------|-----------|-------|------|---------|----------|
/// | alpha.pl       | domain    | me    | aa2  | bb3     | A        |
/// | beta.pl        | hosting   | aa2   | me   | me      | T B      |
/// | gamma.pt       | vps       | bb3   | cc4  | me      | B        |
/// | 100%_sure.it   | email     | me    | me   | me      | A T B    |
/// | 100x-sure.it   | email     | me    | cc4  | cc4     | A        |
/// | delta.it       | database  | cc4   | cc4  | cc4     | (none)   |
/// | star*q?[x].it  | dedicated | me    | bb3  | bb3     | A        |
/// | Epsilon.pl     | domain    | aa2   | aa2  | me      | B        |
/// Nil when PostgreSQL is not available outside CI.
private func smallWorld(_ kind: StoreEngineKind) throws -> (TestStore, [String: Int64])? {
    guard let store = try kind.makeStore() else { return nil }
    try store.engine.createAccounts([
        (makeAccount("me1-ovh", name: "Marta Kowalska"), someHash),
        (makeAccount("aa2-ovh", name: "Łukasz Żółw"), someHash),
        (makeAccount("bb3-ovh", name: "Ana Conceição", language: .pt), someHash),
        (makeAccount("cc4-ovh", name: "Giulia Rossi", language: .it), someHash),
    ], now: now)
    let rows: [(String, ServiceType, String, String, String)] = [
        ("alpha.pl", .domain, "me1", "aa2", "bb3"),
        ("beta.pl", .webHosting, "aa2", "me1", "me1"),
        ("gamma.pt", .vps, "bb3", "cc4", "me1"),
        ("100%_sure.it", .email, "me1", "me1", "me1"),
        ("100x-sure.it", .email, "me1", "cc4", "cc4"),
        ("delta.it", .database, "cc4", "cc4", "cc4"),
        ("star*q?[x].it", .dedicatedServer, "me1", "bb3", "bb3"),
        ("Epsilon.pl", .domain, "aa2", "aa2", "me1"),
    ]
    let ids = try store.engine.addServices(rows.map {
        NewService(
            name: $0.0, type: $0.1, administrative: cid("\($0.2)-ovh"),
            technical: cid("\($0.3)-ovh"), billing: cid("\($0.4)-ovh"))
    })
    return (store, Dictionary(uniqueKeysWithValues: zip(rows.map(\.0), ids)))
}

private let me = cid("me1-ovh")

@Suite struct ContactsPageTests {
    @Test(arguments: StoreEngineKind.allCases)
    func listsOnlyMyServicesByNameIgnoringCase(_ kind: StoreEngineKind) throws {
        guard let (store, _) = try smallWorld(kind) else { return }
        let page = try store.engine.contactsPage(for: me, query: ContactsQuery())
        #expect(page.names == [
            "100%_sure.it", "100x-sure.it", "alpha.pl", "beta.pl", "Epsilon.pl", "gamma.pt", "star*q?[x].it",
        ])
        #expect(page.totalCount == 7)
        #expect(page.nextCursor == nil)
        #expect(page.previousCursor == nil)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func rowsCarryContactsAndMyRoles(_ kind: StoreEngineKind) throws {
        guard let (store, ids) = try smallWorld(kind) else { return }
        let page = try store.engine.contactsPage(for: me, query: ContactsQuery())
        let beta = try #require(page.rows.first { $0.name == "beta.pl" })
        #expect(beta == ContactsRow(
            serviceID: ids["beta.pl"]!, name: "beta.pl", type: .webHosting,
            administrative: ContactSummary(id: cid("aa2-ovh"), displayName: "Łukasz Żółw"),
            technical: ContactSummary(id: me, displayName: "Marta Kowalska"),
            billing: ContactSummary(id: me, displayName: "Marta Kowalska"),
            myRoles: [.technical, .billing]))
        let roles = Dictionary(uniqueKeysWithValues: page.rows.map { ($0.name, $0.myRoles) })
        #expect(roles == [
            "alpha.pl": [.administrative],
            "beta.pl": [.technical, .billing],
            "gamma.pt": [.billing],
            "100%_sure.it": [.administrative, .technical, .billing],
            "100x-sure.it": [.administrative],
            "star*q?[x].it": [.administrative],
            "Epsilon.pl": [.billing],
        ])
    }

    @Test(arguments: StoreEngineKind.allCases, [
        (Role.administrative, ["100%_sure.it", "100x-sure.it", "alpha.pl", "star*q?[x].it"]),
        (Role.technical, ["100%_sure.it", "beta.pl"]),
        (Role.billing, ["100%_sure.it", "beta.pl", "Epsilon.pl", "gamma.pt"]),
    ])
    func roleFilter(_ kind: StoreEngineKind, _ example: (role: Role, expected: [String])) throws {
        let (role, expected) = example
        guard let (store, _) = try smallWorld(kind) else { return }
        let page = try store.engine.contactsPage(for: me, query: ContactsQuery(role: role))
        #expect(page.names == expected)
        #expect(page.totalCount == expected.count)
        #expect(page.rows.allSatisfy { $0.myRoles.contains(role) })
    }

    @Test(arguments: StoreEngineKind.allCases)
    func typeFilter(_ kind: StoreEngineKind) throws {
        guard let (store, _) = try smallWorld(kind) else { return }
        let emails = try store.engine.contactsPage(for: me, query: ContactsQuery(type: .email))
        #expect(emails.names == ["100%_sure.it", "100x-sure.it"])
        #expect(emails.totalCount == 2)
        let databases = try store.engine.contactsPage(for: me, query: ContactsQuery(type: .database))
        #expect(databases.rows.isEmpty)
        #expect(databases.totalCount == 0)
        let both = try store.engine.contactsPage(for: me, query: ContactsQuery(role: .billing, type: .domain))
        #expect(both.names == ["Epsilon.pl"])
    }

    @Test(arguments: StoreEngineKind.allCases, [
        ("%_", ["100%_sure.it"]),
        ("%", ["100%_sure.it"]),
        ("_", ["100%_sure.it"]),
        ("0x-", ["100x-sure.it"]),
        ("*q?[", ["star*q?[x].it"]),
        ("[x]", ["star*q?[x].it"]),
        ("?", ["star*q?[x].it"]),
        ("  GAMMA ", ["gamma.pt"]),
        ("epsilon", ["Epsilon.pl"]),
        ("ŁUKASZ", ["alpha.pl", "beta.pl", "Epsilon.pl"]),
        ("żółw", ["alpha.pl", "beta.pl", "Epsilon.pl"]),
        ("ŻÓŁW", ["alpha.pl", "beta.pl", "Epsilon.pl"]),
        ("zolw", []),
        ("alpha.pl\nme1-ovh", []),
        ("CONCEIÇÃO", ["alpha.pl", "gamma.pt", "star*q?[x].it"]),
        ("cc4-OVH", ["100x-sure.it", "gamma.pt"]),
        ("kowalska", ["100%_sure.it", "100x-sure.it", "alpha.pl", "beta.pl", "Epsilon.pl", "gamma.pt", "star*q?[x].it"]),
        (".it", ["100%_sure.it", "100x-sure.it", "star*q?[x].it"]),
        ("delta", []),
        ("zzz", []),
    ])
    func textFilter(_ kind: StoreEngineKind, _ example: (text: String, expected: [String])) throws {
        let (text, expected) = example
        guard let (store, _) = try smallWorld(kind) else { return }
        let page = try store.engine.contactsPage(for: me, query: ContactsQuery(text: text))
        #expect(page.names == expected)
        #expect(page.totalCount == expected.count)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func emptyOrBlankTextIsNoFilter(_ kind: StoreEngineKind) throws {
        guard let (store, _) = try smallWorld(kind) else { return }
        #expect(try store.engine.contactsPage(for: me, query: ContactsQuery(text: "  \t")).totalCount == 7)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func sortByTypeThenName(_ kind: StoreEngineKind) throws {
        guard let (store, _) = try smallWorld(kind) else { return }
        let page = try store.engine.contactsPage(for: me, query: ContactsQuery(sort: .type))
        #expect(page.names == [
            "alpha.pl", "Epsilon.pl", "beta.pl", "gamma.pt", "star*q?[x].it", "100%_sure.it", "100x-sure.it",
        ])
        let descending = try store.engine.contactsPage(for: me, query: ContactsQuery(sort: .type, descending: true))
        #expect(descending.names == page.names.reversed())
    }

    @Test(arguments: StoreEngineKind.allCases)
    func smallPagesBothWays(_ kind: StoreEngineKind) throws {
        // Given seven rows, pages of three
        guard let (store, _) = try smallWorld(kind) else { return }
        let first = try store.engine.contactsPage(for: me, query: ContactsQuery(limit: 3))
        #expect(first.names == ["100%_sure.it", "100x-sure.it", "alpha.pl"])
        #expect(first.previousCursor == nil)
        // When following the next cursors
        let second = try store.engine.contactsPage(for: me, query: ContactsQuery(cursor: first.nextCursor, limit: 3))
        #expect(second.names == ["beta.pl", "Epsilon.pl", "gamma.pt"])
        let third = try store.engine.contactsPage(for: me, query: ContactsQuery(cursor: second.nextCursor, limit: 3))
        #expect(third.names == ["star*q?[x].it"])
        #expect(third.nextCursor == nil)
        // And back
        let back = try store.engine.contactsPage(
            for: me, query: ContactsQuery(cursor: third.previousCursor, direction: .backward, limit: 3))
        #expect(back == second)
        let start = try store.engine.contactsPage(
            for: me, query: ContactsQuery(cursor: back.previousCursor, direction: .backward, limit: 3))
        #expect(start == first)
        #expect(first.totalCount == 7 && third.totalCount == 7)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func backwardWithoutCursorIsTheLastPage(_ kind: StoreEngineKind) throws {
        guard let (store, _) = try smallWorld(kind) else { return }
        let last = try store.engine.contactsPage(for: me, query: ContactsQuery(direction: .backward, limit: 3))
        #expect(last.names == ["Epsilon.pl", "gamma.pt", "star*q?[x].it"])
        #expect(last.nextCursor == nil)
        #expect(last.previousCursor != nil)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func backwardPastTheStartRealignsOnAFullFirstPage(_ kind: StoreEngineKind) throws {
        // Given a cursor on the second row
        guard let (store, _) = try smallWorld(kind) else { return }
        let one = try store.engine.contactsPage(for: me, query: ContactsQuery(limit: 2))
        let fromSecond = try store.engine.contactsPage(for: me, query: ContactsQuery(cursor: one.nextCursor, limit: 2))
        // When going back a page of two from the third row... twice
        let back = try store.engine.contactsPage(
            for: me, query: ContactsQuery(cursor: fromSecond.previousCursor, direction: .backward, limit: 2))
        #expect(back == one)
        // And a page of three back from the third row has only two rows before it: show the first page
        let realigned = try store.engine.contactsPage(
            for: me, query: ContactsQuery(cursor: fromSecond.previousCursor, direction: .backward, limit: 3))
        #expect(realigned.names == ["100%_sure.it", "100x-sure.it", "alpha.pl"])
        #expect(realigned.previousCursor == nil)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func cursorOfAnotherSortStartsOver(_ kind: StoreEngineKind) throws {
        guard let (store, _) = try smallWorld(kind) else { return }
        let byName = try store.engine.contactsPage(for: me, query: ContactsQuery(limit: 2))
        let byType = try store.engine.contactsPage(
            for: me, query: ContactsQuery(sort: .type, cursor: byName.nextCursor, limit: 2))
        #expect(byType.names == ["alpha.pl", "Epsilon.pl"])
    }

    @Test(arguments: StoreEngineKind.allCases)
    func cursorOfADeletedRowStillPositions(_ kind: StoreEngineKind) throws {
        // Given a page boundary on beta.pl
        guard let (store, ids) = try smallWorld(kind) else { return }
        let first = try store.engine.contactsPage(for: me, query: ContactsQuery(limit: 4))
        #expect(first.names.last == "beta.pl")
        // When beta.pl disappears
        try store.execute("DELETE FROM service WHERE id = $1", [ids["beta.pl"]!])
        // Then the next page still starts right after where beta.pl was
        let next = try store.engine.contactsPage(for: me, query: ContactsQuery(cursor: first.nextCursor, limit: 4))
        #expect(next.names == ["Epsilon.pl", "gamma.pt", "star*q?[x].it"])
        #expect(next.totalCount == 6)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func limitIsClamped(_ kind: StoreEngineKind) throws {
        guard let (store, _) = try smallWorld(kind) else { return }
        #expect(try store.engine.contactsPage(for: me, query: ContactsQuery(limit: 0)).rows.count == 1)
        #expect(try store.engine.contactsPage(for: me, query: ContactsQuery(limit: -5)).rows.count == 1)
        #expect(try store.engine.contactsPage(for: me, query: ContactsQuery(limit: 10_000)).rows.count == 7)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func unknownAccountHasAnEmptyTable(_ kind: StoreEngineKind) throws {
        guard let (store, _) = try smallWorld(kind) else { return }
        let page = try store.engine.contactsPage(for: cid("zz9-ovh"), query: ContactsQuery())
        #expect(page == ContactsPage(rows: [], nextCursor: nil, previousCursor: nil, totalCount: 0))
    }
}

@Suite struct ContactsCursorTests {
    @Test func tokensRoundTripAndAreURLSafe() throws {
        for cursor in [
            ContactsCursor(sort: .name, type: nil, name: "zażółć.pl", serviceID: 42),
            ContactsCursor(sort: .type, type: .dedicatedServer, name: "star*q?[x]/+=.it", serviceID: 9_007_199_254_740_993),
        ] {
            let token = cursor.token
            #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            #expect(ContactsCursor(token: token) == cursor)
        }
    }

    private static func encode(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    @Test(arguments: [
        "", "!!!", "abc", "a", "====", "bmFtZQ", "../../etc/passwd", "%00",
        String(repeating: "A", count: 5000),
        encode("name\n0\n\nx.pl"),
        encode("name\n-3\n\nx.pl"),
        encode("name\n007\n\nx.pl"),
        encode("name\n12\ndomain\nx.pl"),
        encode("type\n12\n\nx.pl"),
        encode("type\n12\nspaceship\nx.pl"),
        encode("size\n12\n\nx.pl"),
        encode("name\n12\n\n"),
        encode("name\n12\n\nline\nbreak"),
        encode("name\n99999999999999999999\n\nx.pl"),
        encode("name\n12"),
    ])
    func garbageTokensAreRefused(token: String) {
        #expect(ContactsCursor(token: token) == nil)
    }

    @Test func validHandMadeTokenIsAccepted() {
        #expect(ContactsCursor(token: Self.encode("type\n12\nvps\nx.pl"))
            == ContactsCursor(sort: .type, type: .vps, name: "x.pl", serviceID: 12))
    }
}
