import ContactsDomain
import Foundation
import GRDB
import Testing
@testable import ContactsStore

/// PostgreSQL's schema keeps SQLite's invariants, and derives the same contacts rows, search
/// text and order from the same services.
@Suite struct PostgresSchemaTests {
    /// The same accounts and services on both engines: names that differ in case and accents.
    private static let names = ["zeta.pl", "Alfa.pl", "ŁÓDŹ.pl", "łódź-2.pl", "alfa-2.pl", "Ärger.it", "_under.pt", "ÖL.it", "Zeta2.pl"]

    private func populate(_ engine: any StoreEngine) throws {
        try engine.createAccounts([(makeAccount("aa1-ovh", name: "Łucja ŻÓŁĆ"), someHash),
                                   (makeAccount("bb2-ovh", name: "Ana Conceição"), someHash)], now: now)
        try engine.addServices(Self.names.enumerated().map { index, name in
            NewService(name: name, type: index % 2 == 0 ? .domain : .webHosting, administrative: cid("aa1-ovh"),
                       technical: cid(index % 3 == 0 ? "bb2-ovh" : "aa1-ovh"), billing: cid("bb2-ovh"))
        })
    }

    @Test func bothEnginesDeriveTheSameContactsRowsInTheSameOrder() throws {
        guard let postgresDatabase = try PostgresTestDatabase.make() else { return }
        let sqlite = try AppDatabase.temporary()
        let postgres = try PostgresStore(url: postgresDatabase.url)
        try populate(sqlite)
        try populate(postgres)
        // By name (NOCASE, then ID) and by type, as the contacts table pages through them.
        let sqliteRows = try sqlite.dbPool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT account_id, service_id, service_name, type_position, is_admin, is_tech, is_billing, search_text
                FROM service_membership ORDER BY account_id, service_name, service_id
                """).map { row -> String in
                let columns: [String] = [row["account_id"], String(row["service_id"] as Int64), row["service_name"],
                                         String(row["type_position"] as Int), String(row["is_admin"] as Int),
                                         String(row["is_tech"] as Int), String(row["is_billing"] as Int), row["search_text"]]
                return columns.joined(separator: "|")
            }
        }
        let postgresRows = try postgres.read { connection in
            try connection.query("""
                SELECT account_id, service_id, service_name, type_position, is_admin, is_tech, is_billing, search_text
                FROM service_membership ORDER BY account_id, name_key, service_id
                """).map { row in row.values.map { $0 ?? "NULL" }.joined(separator: "|") }
        }
        #expect(postgresRows == sqliteRows)
        #expect(postgresRows.count == 2 * Self.names.count)
        let counts = try postgres.read { connection in
            try connection.query("SELECT account_id, services FROM account_service_count ORDER BY account_id")
                .map { "\(try $0.string("account_id"))=\(try $0.int("services"))" }
        }
        #expect(counts == ["aa1-ovh=\(Self.names.count)", "bb2-ovh=\(Self.names.count)"])
    }

    @Test(arguments: StoreEngineKind.allCases)
    func serviceNamesAreUniquePerTypeWhateverTheirASCIICaseAndContactsMustExist(_ kind: StoreEngineKind) throws {
        guard let test = try kind.makeStore() else { return }
        let store = test.engine
        try populate(store)
        #expect(throws: StoreError.duplicateService) {
            try store.addService(name: "ZETA.PL", type: .domain, administrative: cid("aa1-ovh"), technical: cid("aa1-ovh"), billing: cid("aa1-ovh"))
        }
        // As in SQLite's NOCASE, only ASCII letters fold: "łÓDŹ.PL" is another name.
        try store.addService(name: "łÓDŹ.PL", type: .domain, administrative: cid("aa1-ovh"), technical: cid("aa1-ovh"), billing: cid("aa1-ovh"))
        #expect(throws: StoreError.unknownAccount) {
            try store.addService(name: "new.pl", type: .domain, administrative: cid("zz9-ovh"), technical: cid("aa1-ovh"), billing: cid("aa1-ovh"))
        }
        #expect(throws: StoreError.invalidServiceName) {
            try store.addService(name: "", type: .domain, administrative: cid("aa1-ovh"), technical: cid("aa1-ovh"), billing: cid("aa1-ovh"))
        }
    }

    @Test func oneOpenRequestPerServiceAndRoleAndAFinishedRequestStaysFinished() throws {
        guard let database = try PostgresTestDatabase.make() else { return }
        let store = try PostgresStore(url: database.url)
        try store.createAccounts([(makeAccount("aa1-ovh"), someHash), (makeAccount("bb2-ovh"), someHash)], now: now)
        let service = try store.addService(name: "a.pl", type: .domain, administrative: cid("aa1-ovh"), technical: cid("aa1-ovh"), billing: cid("aa1-ovh"))
        func openRequest(role: String) throws -> Int64 {
            try store.write { connection in
                let id = try connection.query("""
                    INSERT INTO change_request (service_id, from_account, to_account, requester, state, requested_at, expires_at)
                    VALUES ($1, 'aa1-ovh', 'bb2-ovh', 'aa1-ovh', 'waiting', $2, $3) RETURNING id
                    """, [service, now, now.addingTimeInterval(86_400)])[0].int64("id")
                try connection.query("INSERT INTO change_request_role (request_id, service_id, role, open) VALUES ($1, $2, $3, 1)",
                                     [id, service, role])
                return id
            }
        }
        let first = try openRequest(role: "tech")
        #expect { try openRequest(role: "tech") } throws: { ($0 as? PostgresError)?.isUniqueViolation == true }
        _ = try openRequest(role: "billing")
        // Finishing the first request closes its role: the role is free again.
        try store.write { connection in
            try connection.query("UPDATE change_request SET state = 'done', decided_at = $2 WHERE id = $1", [first, now])
        }
        _ = try openRequest(role: "tech")
        #expect { try store.write { connection in
            try connection.query("UPDATE change_request SET state = 'waiting', decided_at = NULL WHERE id = $1", [first])
        } } throws: { ($0 as? PostgresError)?.sqlState == "23514" }
        // A closed role cannot claim to be open.
        #expect { try store.write { connection in
            try connection.query("UPDATE change_request_role SET open = 1 WHERE request_id = $1", [first])
        } } throws: { ($0 as? PostgresError)?.sqlState == "23514" }
    }
}
