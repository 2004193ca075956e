import ContactsDomain
import Foundation
import GRDB
import Testing
@testable import ContactsStore

@Suite struct RequestsSchemaTests {
    @Test func v2RegistersRightAfterV1() throws {
        #expect(Array(AppDatabase.migrator.migrations.prefix(2)) == ["v1", "v2"])
    }

    @Test func aDatabaseMigratedPastV2WithoutItGetsItOnOpening() throws {
        // Given a database file that has every migration but "v2" (made before "v2" landed, so
        // also before "v9-outbox-give-up", which alters v2's outbox)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("contacts-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("contacts.sqlite").path
        do {
            let db = try AppDatabase(path: path)
            try db.given(accounts: "aa1-ovh")
            try db.dbPool.write { db in
                try db.execute(sql: """
                    DROP TABLE outbox; DROP TABLE request_event; DROP TABLE code_failure;
                    DROP TABLE confirmation; DROP TABLE change_request_role; DROP TABLE change_request;
                    DELETE FROM grdb_migrations WHERE identifier IN ('v2', 'v9-outbox-give-up');
                    """)
            }
        }
        // When it is opened
        let reopened = try AppDatabase(path: path)
        // Then "v2" was applied and the data kept
        #expect(try reopened.appliedMigrations() == AppDatabase.migrator.migrations)
        #expect(try reopened.outboxCounts() == (pending: 0, delivered: 0))
        #expect(try reopened.account(cid("aa1-ovh")) != nil)
    }
}
