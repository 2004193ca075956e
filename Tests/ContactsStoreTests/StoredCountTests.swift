import ContactsDomain
import Foundation
import GRDB
import Testing
@testable import ContactsStore

/// `account_service_count` (migration v5) follows the membership rows through every change.
@Suite struct StoredCountTests {
    private func stored(_ db: AppDatabase) throws -> [String: Int] {
        try db.dbPool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT account_id, services FROM account_service_count WHERE services > 0")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, $0[1] as Int) })
        }
    }

    private func counted(_ db: AppDatabase) throws -> [String: Int] {
        try db.dbPool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT account_id, count(*) FROM service_membership GROUP BY account_id")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, $0[1] as Int) })
        }
    }

    @Test func followsInsertsRoleChangesAndDeletes() throws {
        let db = try AppDatabase.temporary()
        let ids = ["aa1-ovh", "bb2-ovh", "cc3-ovh"]
        try db.createAccounts(ids.map { (makeAccount($0, name: "Account \($0)"), someHash) }, now: now)
        let (a, b, c) = (cid(ids[0]), cid(ids[1]), cid(ids[2]))
        let services = try db.addServices([
            NewService(name: "one.pl", type: .domain, administrative: a, technical: a, billing: a),
            NewService(name: "two.pl", type: .domain, administrative: a, technical: b, billing: b),
            NewService(name: "three.pl", type: .vps, administrative: b, technical: c, billing: a),
        ])
        #expect(try stored(db) == ["aa1-ovh": 3, "bb2-ovh": 2, "cc3-ovh": 1])
        #expect(try stored(db) == counted(db))

        try db.dbPool.write { db in
            try db.execute(sql: "UPDATE service SET tech_id = ?, billing_id = ? WHERE id = ?",
                           arguments: [c.rawValue, c.rawValue, services[1]])
            try db.execute(sql: "UPDATE service SET admin_id = ? WHERE id = ?", arguments: [c.rawValue, services[0]])
        }
        #expect(try stored(db) == counted(db))
        #expect(try stored(db) == ["aa1-ovh": 3, "cc3-ovh": 3, "bb2-ovh": 1])

        try db.dbPool.write { db in try db.execute(sql: "DELETE FROM service WHERE id = ?", arguments: [services[2]]) }
        #expect(try stored(db) == counted(db))
        let page = try db.contactsPage(for: a, query: ContactsQuery())
        #expect(page.totalCount == 2)
        #expect(!page.totalCountIsBounded)
        #expect(try db.contactsPage(for: cid("zz9-ovh"), query: ContactsQuery()).totalCount == 0)
    }

    @Test func theBulkLoadKeepsItToo() throws {
        let db = try AppDatabase.temporary()
        let accounts = (1...20).map { (account: makeAccount("cu\($0)-ovh", name: "Customer \($0)"), passwordHash: someHash) }
        let services = (0..<200).map { i in
            NewService(name: "svc-\(i).pl", type: .domain, administrative: cid("cu\(i % 20 + 1)-ovh"),
                       technical: cid("cu\(i % 7 + 1)-ovh"), billing: cid("cu\(i % 3 + 1)-ovh"))
        }
        try db.bulkLoad(accounts: accounts, services: services, now: now)
        #expect(try stored(db) == counted(db))
        #expect(try db.contactsPage(for: cid("cu1-ovh"), query: ContactsQuery()).totalCount == counted(db)["cu1-ovh"])
    }
}
