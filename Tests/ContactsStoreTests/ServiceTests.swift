import ContactsDomain
import Foundation
import GRDB
import Testing
@testable import ContactsStore

@Suite struct ServiceTests {
    @Test func addedServiceReadsBack() throws {
        // Given three accounts
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh", "bb2-ovh", "cc3-ovh")
        // When adding a service
        let id = try db.addService(
            name: "example.pl", type: .domain,
            administrative: cid("aa1-ovh"), technical: cid("bb2-ovh"), billing: cid("cc3-ovh"))
        // Then it reads back with its three contacts
        let service = try #require(try db.service(id))
        #expect(service == StoredService(
            id: id, name: "example.pl", type: .domain,
            administrative: cid("aa1-ovh"), technical: cid("bb2-ovh"), billing: cid("cc3-ovh")))
        #expect(service.roles(of: cid("bb2-ovh")) == [.technical])
        #expect(try db.service(id + 1) == nil)
    }

    @Test func servicesNeedExistingAccounts() throws {
        // Given one account
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh")
        // When adding a service naming an account that does not exist
        // Then the foreign key refuses it, and nothing is stored
        #expect(throws: StoreError.unknownAccount) {
            try db.addService(
                name: "example.pl", type: .domain,
                administrative: cid("aa1-ovh"), technical: cid("aa1-ovh"), billing: cid("zz9-ovh"))
        }
        #expect(try db.dbPool.read { try ServiceRecord.fetchCount($0) } == 0)
        #expect(try db.storedMemberships().isEmpty)
    }

    @Test func foreignKeysAreEnforcedOnRawWrites() throws {
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh")
        #expect(throws: DatabaseError.self) {
            try db.dbPool.write { db in
                try db.execute(sql: """
                    INSERT INTO service (name, type, admin_id, tech_id, billing_id)
                    VALUES ('x.pl', 'domain', 'aa1-ovh', 'aa1-ovh', 'nobody1-ovh')
                    """)
            }
        }
        #expect(throws: DatabaseError.self) {
            try db.dbPool.write { db in
                try db.execute(sql: """
                    INSERT INTO service (name, type, admin_id, tech_id, billing_id)
                    VALUES ('x.pl', 'no-such-type', 'aa1-ovh', 'aa1-ovh', 'aa1-ovh')
                    """)
            }
        }
    }

    @Test func serviceNamesAreUniquePerTypeIgnoringCase() throws {
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh")
        let a = cid("aa1-ovh")
        try db.addService(name: "example.pl", type: .domain, administrative: a, technical: a, billing: a)
        try db.addService(name: "example.pl", type: .webHosting, administrative: a, technical: a, billing: a)
        #expect(throws: StoreError.duplicateService) {
            try db.addService(name: "EXAMPLE.pl", type: .domain, administrative: a, technical: a, billing: a)
        }
    }

    @Test func invalidServiceNamesAreRefused() throws {
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh")
        let a = cid("aa1-ovh")
        for name in ["", " x.pl", "x\t.pl", String(repeating: "x", count: 256), "x\u{2028}.pl", "lp.x\u{202E}",
                     "x\u{2067}.pl", "x\u{FEFF}.pl"] {
            #expect(throws: StoreError.invalidServiceName) {
                try db.addService(name: name, type: .domain, administrative: a, technical: a, billing: a)
            }
        }
    }

    @Test func membershipHasOneRowPerHolderWithAllItsRoles() throws {
        // Given a service where one account is admin and billing, another technical
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh", "bb2-ovh")
        let id = try db.addService(
            name: "vps-1.example", type: .vps,
            administrative: cid("aa1-ovh"), technical: cid("bb2-ovh"), billing: cid("aa1-ovh"))
        // Then the membership table holds exactly two rows with the roles merged
        let search = "vps-1.example|aa1-ovh|owner of aa1-ovh|bb2-ovh|owner of bb2-ovh|aa1-ovh|owner of aa1-ovh"
        #expect(try db.storedMemberships() == [
            "aa1-ovh \(id) vps-1.example 3 A-B \(search)",
            "bb2-ovh \(id) vps-1.example 3 -T- \(search)",
        ])
    }

    @Test func membershipFollowsRoleChanges() throws {
        // Given services with mixed roles
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh", "bb2-ovh", "cc3-ovh", "dd4-ovh")
        let first = try db.addService(
            name: "a.example", type: .domain,
            administrative: cid("aa1-ovh"), technical: cid("aa1-ovh"), billing: cid("aa1-ovh"))
        let second = try db.addService(
            name: "b.example", type: .email,
            administrative: cid("aa1-ovh"), technical: cid("bb2-ovh"), billing: cid("cc3-ovh"))

        // When roles move around: to a new holder, to an existing holder, back to the same one
        try db.setContact(.technical, of: first, to: cid("bb2-ovh"))
        #expect(try db.storedMemberships() == db.expectedMemberships())
        try db.setContact(.administrative, of: second, to: cid("cc3-ovh"))
        #expect(try db.storedMemberships() == db.expectedMemberships())
        try db.setContact(.billing, of: second, to: cid("dd4-ovh"))
        try db.setContact(.technical, of: second, to: cid("dd4-ovh"))
        try db.setContact(.technical, of: second, to: cid("dd4-ovh"))

        // Then membership matches what the services say, row for row
        #expect(try db.storedMemberships() == db.expectedMemberships())
        #expect(try db.storedMemberships().map { $0.split(separator: " ").prefix(5).joined(separator: " ") } == [
            "aa1-ovh \(first) a.example 1 A-B",
            "bb2-ovh \(first) a.example 1 -T-",
            "cc3-ovh \(second) b.example 5 A--",
            "dd4-ovh \(second) b.example 5 -TB",
        ])
        // And an account that lost all its roles no longer sees the service
        let page = try db.contactsPage(for: cid("aa1-ovh"), query: ContactsQuery())
        #expect(page.rows.map(\.serviceID) == [first])
    }

    @Test func membershipFollowsRawUpdatesAndDeletes() throws {
        // Given services
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh", "bb2-ovh")
        let ids = try db.addServices((1...5).map {
            NewService(
                name: "s\($0).example", type: .dedicatedServer,
                administrative: cid("aa1-ovh"), technical: cid("bb2-ovh"), billing: cid("aa1-ovh"))
        })
        // When a service is renamed, retyped, reassigned and another deleted by plain SQL
        try db.dbPool.write { db in
            try db.execute(sql: "UPDATE service SET name = 'renamed.example', type = 'database' WHERE id = ?",
                           arguments: [ids[0]])
            try db.execute(sql: "UPDATE service SET admin_id = tech_id, tech_id = billing_id WHERE id = ?",
                           arguments: [ids[1]])
            try db.execute(sql: "DELETE FROM service WHERE id = ?", arguments: [ids[2]])
        }
        // Then the triggers kept membership exact
        #expect(try db.storedMemberships() == db.expectedMemberships())
        #expect(try db.storedMemberships().count == 4 * 2)
    }

    @Test func searchTextFollowsDisplayNameChanges() throws {
        // Given services where one account is a contact, and one where it is not
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh", "bb2-ovh", "cc3-ovh")
        let (a, b, c) = (cid("aa1-ovh"), cid("bb2-ovh"), cid("cc3-ovh"))
        try db.addService(name: "one.pl", type: .domain, administrative: a, technical: b, billing: b)
        try db.addService(name: "two.pl", type: .domain, administrative: b, technical: b, billing: a)
        try db.addService(name: "three.pl", type: .domain, administrative: c, technical: c, billing: c)
        // When the account's display name changes (no API does this yet; the schema still must)
        try db.dbPool.write { db in
            try db.execute(sql: "UPDATE account SET display_name = 'Żaneta Kąkol' WHERE id = 'aa1-ovh'")
        }
        // Then every membership row of its services carries the new name
        #expect(try db.storedMemberships() == db.expectedMemberships())
        let found = try db.contactsPage(for: b, query: ContactsQuery(text: "żaneta KĄKOL"))
        #expect(found.names == ["one.pl", "two.pl"])
        #expect(try db.contactsPage(for: b, query: ContactsQuery(text: "owner of aa1")).totalCount == 0)
    }

    @Test func searchTextFoldsTheAccentedCapitalsOfOurLanguages() throws {
        // Given a contact whose name has every folded capital, and one with a Greek capital
        let db = try AppDatabase.temporary()
        try db.createAccounts([
            (makeAccount("aa1-ovh", name: "ÀÁÂÃÄÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜĄĆĘŁŃŚŹŻ"), someHash),
            (makeAccount("bb2-ovh", name: "Σωκράτης"), someHash),
        ], now: now)
        let (a, b) = (cid("aa1-ovh"), cid("bb2-ovh"))
        try db.addService(name: "ŁÓDŹ.pl", type: .domain, administrative: a, technical: a, billing: b)
        // Then the stored text folds them the way the tests' own list says
        #expect(try db.storedMemberships() == db.expectedMemberships())
        #expect(SearchFolding.foldedCapitals.count == 32)
        for capital in SearchFolding.foldedCapitals.keys {
            #expect(storeFolded(String(capital)) == String(SearchFolding.foldedCapitals[capital]!))
        }
        // And needles in any case find them
        for needle in ["àáâãäçèéêëìíîïñòóôõöùúûüąćęłńśźż", "łódź", "ŁóDź.PL", "σωκράτης", "ΣΩΚΡΆΤΗ"] {
            #expect(try db.contactsPage(for: a, query: ContactsQuery(text: needle)).totalCount == 1, "\(needle)")
        }
        #expect(try db.contactsPage(for: a, query: ContactsQuery(text: "lodz")).totalCount == 0)
    }

    @Test func setContactErrors() throws {
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh")
        let a = cid("aa1-ovh")
        let id = try db.addService(name: "x.pl", type: .domain, administrative: a, technical: a, billing: a)
        #expect(throws: StoreError.unknownService) { try db.setContact(.billing, of: id + 1, to: a) }
        #expect(throws: StoreError.unknownAccount) { try db.setContact(.billing, of: id, to: cid("zz9-ovh")) }
        #expect(try db.service(id)?.billing == a)
    }
}
