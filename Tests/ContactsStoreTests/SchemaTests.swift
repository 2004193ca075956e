import ContactsDomain
import Foundation
import GRDB
import Testing
@testable import ContactsStore

@Suite struct SchemaTests {
    @Test func connectionSettings() throws {
        let db = try AppDatabase.temporary()
        let writer = try db.dbPool.writeWithoutTransaction { db in
            try Row.fetchOne(db, sql: """
                SELECT journal_mode, foreign_keys, synchronous, timeout
                FROM pragma_journal_mode, pragma_foreign_keys, pragma_synchronous, pragma_busy_timeout
                """)!
        }
        #expect(writer["journal_mode"] as String == "wal")
        #expect(writer["foreign_keys"] as Int == 1)
        #expect(writer["synchronous"] as Int == 2) // FULL
        #expect(writer["timeout"] as Int == 5_000)
        let readerForeignKeys = try db.dbPool.read { try Int.fetchOne($0, sql: "PRAGMA foreign_keys") }
        #expect(readerForeignKeys == 1)
    }

    @Test func migrationsAreCompleteAndReopeningKeepsData() throws {
        // Given a database file with an account
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("contacts-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("contacts.sqlite").path
        do {
            let db = try AppDatabase(path: path)
            try db.given(accounts: "aa1-ovh")
        }
        // When it is opened again
        let reopened = try AppDatabase(path: path)
        // Then the migrator has nothing left to do and the data is there
        let (completed, applied) = try reopened.dbPool.read { db in
            (try AppDatabase.migrator.hasCompletedMigrations(db), try AppDatabase.migrator.appliedMigrations(db))
        }
        #expect(completed)
        #expect(applied == AppDatabase.migrator.migrations)
        #expect(applied.contains("v1") && applied.contains("v3"))
        #expect(try reopened.account(cid("aa1-ovh")) != nil)
    }

    @Test func v3BackfillsSearchTextOfExistingRows() throws {
        // Given a database at v1 with a service
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("contacts-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("contacts.sqlite").path
        do {
            let pool = try DatabasePool(path: path, configuration: AppDatabase.makeConfiguration())
            try AppDatabase.migrator.migrate(pool, upTo: "v1")
            try pool.write { db in
                try db.execute(sql: """
                    INSERT INTO account VALUES ('aa1-ovh', 'Ana Conceição', 'a@example.pt', 'pt', 'up_to_date', 'h', '2025-01-01');
                    INSERT INTO service (name, type, admin_id, tech_id, billing_id)
                    VALUES ('Loja.PT', 'domain', 'aa1-ovh', 'aa1-ovh', 'aa1-ovh');
                    """)
            }
        }
        // When the store opens it and migrates further
        let db = try AppDatabase(path: path)
        // Then the old row has its search text and the text filter finds it
        #expect(try db.storedMemberships() == db.expectedMemberships())
        #expect(try db.contactsPage(for: cid("aa1-ovh"), query: ContactsQuery(text: "CONCEIÇÃO")).totalCount == 1)
    }

    @Test func serviceTypeTableKnowsEveryType() throws {
        let db = try AppDatabase.temporary()
        let codes = try db.dbPool.read { db in
            try String.fetchAll(db, sql: "SELECT code FROM service_type ORDER BY position")
        }
        #expect(codes == ServiceType.allCases.map(\.rawValue))
    }

    @Test func membershipCannotBeWrittenInconsistently() throws {
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh")
        #expect(throws: DatabaseError.self) {
            try db.dbPool.write { db in
                try db.execute(sql: """
                    INSERT INTO service_membership
                        (account_id, service_id, service_name, type_position, is_admin, is_tech, is_billing)
                    VALUES ('aa1-ovh', 1, 'x', 1, 0, 0, 0)
                    """)
            }
        }
    }
}

/// The contacts page must read an index range in order: no full scan, no sort step.
@Suite struct QueryPlanTests {
    private func world() throws -> AppDatabase {
        let db = try AppDatabase.temporary()
        try db.given(accounts: "aa1-ovh", "bb2-ovh")
        let (a, b) = (cid("aa1-ovh"), cid("bb2-ovh"))
        try db.addServices((0..<300).map {
            NewService(
                name: "s\($0).example", type: ServiceType.allCases[$0 % 6],
                administrative: $0 % 2 == 0 ? a : b, technical: a, billing: b)
        })
        return db
    }

    private func plan(_ db: AppDatabase, _ sql: String, _ arguments: StatementArguments) throws -> [String] {
        try db.dbPool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] }
        }
    }

    static let queries: [ContactsQuery] = {
        var queries: [ContactsQuery] = []
        for sort in ContactsSort.allCases {
            for descending in [false, true] {
                for role in [nil] + Role.allCases {
                    for type in [nil, ServiceType.vps] {
                        for text in ["", "x%"] {
                            queries.append(ContactsQuery(
                                role: role, type: type, text: text, sort: sort, descending: descending))
                        }
                    }
                }
            }
        }
        return queries
    }()

    @Test func pageQueriesWalkAMembershipIndexWithoutSorting() throws {
        let db = try world()
        let me = cid("aa1-ovh")
        let cursors: [ContactsSort: ContactsCursor] = [
            .name: ContactsCursor(sort: .name, type: nil, name: "s5.example", serviceID: 6),
            .type: ContactsCursor(sort: .type, type: .vps, name: "s5.example", serviceID: 6),
        ]
        for query in Self.queries {
            let pageQuery = ContactsPageQuery(account: me, query: query, dialect: .sqlite)
            for (cursor, backward) in [(nil, false), (cursors[query.sort], false), (cursors[query.sort], true)] {
                let statement = pageQuery.rowsStatement(from: cursor, backward: backward, limit: 51)
                let details = try plan(db, statement.sql, statement.arguments)
                let membership = try #require(details.first, "\(query)")
                let index = query.sort == .name && query.type == nil
                    ? "service_membership_on_name" : "service_membership_on_type"
                // The text filter reads search_text from the row; everything else is in the index.
                let access = query.text.isEmpty ? "COVERING INDEX" : "INDEX"
                #expect(membership.hasPrefix("SEARCH m USING \(access) \(index) (account_id=?"),
                        "\(query) \(details)")
                #expect(!details.contains { $0.contains("TEMP B-TREE") }, "\(query) \(details)")
                #expect(!details.contains { $0.hasPrefix("SCAN") }, "\(query) \(details)")
                for table in ["s", "aa", "ta", "ba"] {
                    #expect(details.contains { $0.hasPrefix("SEARCH \(table) USING") && $0.contains("PRIMARY KEY") },
                            "\(query) \(details)")
                }
            }
        }
    }

    @Test func countsReadTheMembershipIndexOnly() throws {
        let db = try world()
        let me = cid("aa1-ovh")
        for query in Self.queries where query.text.isEmpty {
            let pageQuery = ContactsPageQuery(account: me, query: query, dialect: .sqlite)
            let statement = pageQuery.countStatement()
            let details = try plan(db, statement.sql, statement.arguments)
            // Unfiltered, the count is the stored one (StoredCountTests).
            guard pageQuery.isFiltered else {
                #expect(details.contains { $0.hasPrefix("SEARCH account_service_count USING PRIMARY KEY") },
                        "\(query) \(details)")
                #expect(!details.contains { $0.contains("service_membership") || ($0.hasPrefix("SCAN") && $0 != "SCAN CONSTANT ROW") },
                        "\(query) \(details)")
                continue
            }
            #expect(details.first?.hasPrefix("SEARCH m USING COVERING INDEX service_membership_on_") == true,
                    "\(query) \(details)")
            #expect(details.filter { $0.hasPrefix("SEARCH") || $0.hasPrefix("SCAN") }.count == 1
                        + (query.type == nil ? 0 : 1), "\(query) \(details)")
        }
    }
}
