import ContactsDomain
import Foundation
import Testing
@testable import ContactsStore

/// `contacts-admin copy`: a SQLite installation moved into PostgreSQL reads back the same
/// through every named operation, and a database that holds data already is refused.
@Suite struct CopyToPostgresTests {
    @Test func aCopiedInstallationReadsTheSameOnPostgreSQL() throws {
        // Without PostgreSQL outside CI, nothing to copy into (under CI makeStore fails instead).
        guard let target = try StoreEngineKind.postgresql.makeStore() else { return }
        let world = try #require(try EngineRequestWorld.make(.sqlite))
        let sqlite = try #require(world.engine as? AppDatabase)
        let postgres = try #require(target.engine as? PostgresStore)
        // A request, one accepted confirmation, a token, an owner, a session: rows of every kind.
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        try world.engine.perform(.accept(by: world.admin, code: try #require(request.codes[world.admin])), on: request.id, now: now)
        let token = try world.engine.createAPIToken(for: world.admin, name: "script", scope: .readOnly, days: 30,
                                                    digest: String(repeating: "a", count: 64), now: now)
        try world.engine.createSession(digest: String(repeating: "b", count: 64), account: world.tech, now: now)

        let counts = try postgres.copy(from: sqlite)
        #expect(counts.rows.first { $0.table == "account" }?.count == 5)
        #expect(counts.rows.first { $0.table == "change_request" }?.count == 1)

        for account in [world.admin, world.tech, world.newcomer] {
            #expect(try postgres.contactsPage(for: account, query: ContactsQuery()) == sqlite.contactsPage(for: account, query: ContactsQuery()))
            #expect(try postgres.account(account) == sqlite.account(account))
            #expect(try postgres.requests(for: account, now: now) == sqlite.requests(for: account, now: now))
        }
        #expect(try postgres.request(request.id, for: world.admin, now: now) == sqlite.request(request.id, for: world.admin, now: now))
        #expect(try postgres.apiTokens(of: world.admin) == [token])
        #expect(try postgres.session(digest: String(repeating: "b", count: 64)) == sqlite.session(digest: String(repeating: "b", count: 64)))
        #expect(try postgres.outboxCounts() == sqlite.outboxCounts())
        // New rows get IDs after the copied ones.
        let next = try postgres.addService(name: "after-copy.pl", type: .domain, administrative: world.admin,
                                           technical: world.admin, billing: world.admin)
        #expect(next > world.serviceID)

        // A second copy into the same database is refused, and changes nothing.
        #expect(throws: CopyError.targetNotEmpty) { try postgres.copy(from: sqlite) }
        #expect(try postgres.contactsPage(for: world.admin, query: ContactsQuery()).totalCount == 2)
    }
}
