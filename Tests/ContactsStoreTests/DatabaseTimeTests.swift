import ContactsDomain
import Foundation
import MetricsTestKit
import Testing
@testable import ContactsStore

/// Database time on PostgreSQL (SQLite's is checked through /metrics in WebAppTests).
@Suite struct DatabaseTimeTests {
    @Test func everyReadAndWriteTransactionIsTimedByOperationAndEngine() throws {
        guard let database = try PostgresTestDatabase.make() else { return }
        let metrics = TestMetrics()
        let store = try PostgresStore(url: database.url, metrics: metrics)
        try store.createAccount(makeAccount("aa1-ovh"), passwordHash: someHash, now: now)
        _ = try store.account(cid("aa1-ovh"))
        _ = try store.account(cid("bb2-ovh"))
        let reads = try metrics.expectTimer("contacts_database_duration_seconds", [("operation", "read"), ("engine", "postgresql")])
        let writes = try metrics.expectTimer("contacts_database_duration_seconds", [("operation", "write"), ("engine", "postgresql")])
        #expect(reads.values.count == 2 && reads.values.allSatisfy { $0 > 0 })
        #expect(writes.values.count == 1)
    }
}
