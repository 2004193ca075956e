import Foundation
import Testing
@testable import ContactsStore

/// The libpq client: reconnection after the server dropped its connections, outages and slow
/// statements reported as the store being unavailable (the web app's localized 503).
@Suite struct PostgresConnectionTests {
    @Test func theStoreRecoversByItselfAfterTheServerDroppedItsConnections() throws {
        guard let database = try PostgresTestDatabase.make() else { return }
        let store = try PostgresStore(url: database.url, connections: 3)
        try store.createAccount(makeAccount("aa1-ovh"), passwordHash: someHash, now: now)
        // What a server restart does to the clients: every connection to the database is closed.
        let admin = try PostgresConnection(url: database.url, statementTimeout: .seconds(5))
        let others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        try admin.query("SELECT pg_terminate_backend(pid) \(others)")
        for _ in 0..<100 where try admin.query("SELECT count(*) AS n \(others)")[0].int("n") > 0 {
            Thread.sleep(forTimeInterval: 0.02)
        }
        // The next operations open fresh connections; nothing is lost.
        #expect(try store.account(cid("aa1-ovh")) != nil)
        try store.createAccount(makeAccount("bb2-ovh"), passwordHash: someHash, now: now)
        #expect(try store.account(cid("bb2-ovh")) != nil)
    }

    @Test func aServerThatCannotBeReachedIsUnavailable() throws {
        guard try PostgresTestDatabase.clusterURL() != nil else { return }
        let missing = "postgresql://contacts@%2Fnonexistent%2Fsocket/contacts?connect_timeout=2"
        do {
            _ = try PostgresStore(url: missing)
            Issue.record("opened a store on a server that does not exist")
        } catch {
            #expect(AppDatabase.isUnavailable(error), "\(error)")
        }
    }

    @Test func aStatementLongerThanTheTimeoutIsCancelledAndUnavailable() throws {
        guard let database = try PostgresTestDatabase.make() else { return }
        let store = try PostgresStore(url: database.url, connections: 1, statementTimeout: .milliseconds(200))
        do {
            try store.read { connection in try connection.query("SELECT pg_sleep(2)") }
            Issue.record("the statement was not cancelled")
        } catch {
            #expect((error as? PostgresError)?.sqlState == "57014")
            #expect(AppDatabase.isUnavailable(error))
        }
        // The connection stays usable.
        #expect(try store.appliedMigrations() == ["pg-v1", "pg-v2-api-tokens", "pg-v3-bulk-membership"])
    }

    @Test func parametersAreNeverSplicedIntoTheStatement() throws {
        guard let database = try PostgresTestDatabase.make() else { return }
        let store = try PostgresStore(url: database.url, connections: 1)
        let tricky = "x'); DROP TABLE account; --"
        let echoed = try store.read { connection in try connection.query("SELECT $1::text AS value", [tricky])[0].string("value") }
        #expect(echoed == tricky)
        #expect(try store.account(cid("aa1-ovh")) == nil)
    }

    @Test func timestampsKeepMicrosecondsInUTC() throws {
        let date = Date(timeIntervalSince1970: 1_750_006_400.123456)
        let text = PostgresTimestamp.format(date)
        #expect(text == "2025-06-15 16:53:20.123456+00")
        #expect(abs(try #require(PostgresTimestamp.parse(text)).timeIntervalSince(date)) < 0.000_001)
        #expect(PostgresTimestamp.parse("2025-06-15 16:53:20+00") == Date(timeIntervalSince1970: 1_750_006_400))
        #expect(PostgresTimestamp.format(.distantPast) == "-infinity" && PostgresTimestamp.parse("-infinity") == .distantPast)
        #expect(PostgresTimestamp.parse(PostgresTimestamp.format(.distantFuture)) == .distantFuture)
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: -62_135_596_800)) == "0001-01-01 00:00:00.000000+00")
    }
}
