import ContactsDomain
import Foundation
import GRDB
import Testing
@testable import ContactsStore

/// The lists that run on every page view or delivery round read indexes, never whole tables.
@Suite struct RequestsQueryPlanTests {
    private func plan(_ db: AppDatabase, _ sql: String, _ arguments: StatementArguments) throws -> [String] {
        try db.dbPool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] }
        }
    }

    @Test func myRequestsSearchesOneIndexPerPart() throws {
        let world = try RequestWorld()
        try world.submit(by: world.admin, [.technical: world.newcomer])
        let account = cid("aa1-ovh")
        for statement in [
            RequestListStatements.page(of: account, state: nil, after: nil, limit: 51),
            RequestListStatements.page(
                of: account, state: .waiting, after: RequestListCursor(open: true, requestedAt: now, id: 1), limit: 51),
            RequestListStatements.count(of: account, state: nil),
            RequestListStatements.due(of: account, now: now),
        ] {
            let details = try plan(world.db, statement.sql, statement.arguments)
            for index in ["change_request_on_requester", "change_request_on_from", "change_request_on_to",
                          "confirmation_on_confirmer"] {
                #expect(details.contains { $0.contains(index) }, "\(details)")
            }
            // The outer table is only looked up by ID.
            #expect(!details.contains { $0.hasPrefix("SCAN change_request") || $0.hasPrefix("SCAN confirmation") },
                    "\(details)")
        }
    }

    @Test func dueRequestsAndPendingEmailsReadTheirPartialIndexes() throws {
        let world = try RequestWorld()
        let due = try plan(world.db, RequestStatements.due, [now])
        #expect(due.contains { $0.contains("change_request_waiting_by_expiry") }, "\(due)")
        #expect(!due.contains { $0.contains("TEMP B-TREE") }, "\(due)")
        let pending = try plan(world.db, AppDatabase.pendingEmailsSQL, ["now": now, "limit": 10])
        #expect(pending.contains { $0.contains("outbox_pending") }, "\(pending)")
        #expect(!pending.contains { $0.contains("TEMP B-TREE") }, "\(pending)")
    }
}
