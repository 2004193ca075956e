import ContactsDomain
import Foundation
import GRDB
import Testing
@testable import ContactsStore

@Suite struct OutboxTests {
    /// Three emails written at `now`: a request's two creation emails (to aa1 and dd4), and
    /// dd4's own resend right after (its fresh code is returned).
    private func worldWithEmails() throws -> (RequestWorld, code: String) {
        let world = try RequestWorld()
        let request = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        try world.db.resend(requestID: request.id, by: world.newcomer, now: now)
        return (world, try #require(try world.mailedCodes(request: request.id)[world.newcomer]))
    }

    @Test func pendingEmailsAreDueOldestFirst() throws {
        // Given three emails written at `now`
        let (world, code) = try worldWithEmails()
        // Then none is due before it was written, all three are due from then, oldest first
        #expect(try world.db.pendingEmails(now: now.addingTimeInterval(-1), limit: 10).isEmpty)
        let pending = try world.db.pendingEmails(now: now, limit: 10)
        #expect(pending.map(\.email.recipient) == [world.admin, world.newcomer, world.newcomer])
        #expect(pending.map(\.id) == pending.map(\.id).sorted())
        #expect(pending.allSatisfy { $0.attempts == 0 && $0.createdAt == now })
        let toNewcomer = try #require(pending.last)
        #expect(toNewcomer.email == OutgoingEmail(
            recipient: world.newcomer, toAddress: "dd4-ovh@example.com", language: .pt,
            subject: toNewcomer.email.subject, bodyText: "your code: \(code)"))
        #expect(try world.db.pendingEmails(now: now, limit: 2).count == 2)
        #expect(try world.db.outboxCounts() == (pending: 3, delivered: 0))
    }

    @Test func deliveryErasesTheBodyOnceAndForAll() throws {
        // Given three pending emails
        let (world, code) = try worldWithEmails()
        let pending = try world.db.pendingEmails(now: now, limit: 10)
        let delivered = try #require(pending.last)
        // When one is delivered (twice: the step may be retried after a crash)
        try world.db.markDelivered(emailID: delivered.id, now: now.addingTimeInterval(5))
        try world.db.markDelivered(emailID: delivered.id, now: now.addingTimeInterval(9))
        // Then it is no longer pending, keeps its first delivery time, and its code is gone
        #expect(try world.db.pendingEmails(now: now.addingTimeInterval(60), limit: 10).map(\.id) == pending.dropLast().map(\.id))
        #expect(try world.db.outboxCounts() == (pending: 2, delivered: 1))
        let row = try #require(try world.db.dbPool.read { try OutboxRecord.fetchOne($0, key: delivered.id) })
        #expect(row.bodyText == "" && row.deliveredAt == now.addingTimeInterval(5))
        let everything = try world.db.dbPool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox").map(\.description).joined()
        }
        #expect(!everything.contains(code))
        // And a failure reported late does not bring it back
        try world.db.markDeliveryFailed(emailID: delivered.id, error: "late", now: now.addingTimeInterval(10))
        #expect(try world.db.outboxCounts() == (pending: 2, delivered: 1))
        // And unknown IDs change nothing
        try world.db.markDelivered(emailID: 9_999, now: now)
        try world.db.markDeliveryFailed(emailID: 9_999, error: "x", now: now)
    }

    @Test func theSchemaRefusesADeliveredEmailWithABody() throws {
        let (world, _) = try worldWithEmails()
        #expect(throws: DatabaseError.self) {
            try world.db.dbPool.write { db in
                try db.execute(sql: "UPDATE outbox SET delivered_at = ?", arguments: [now])
            }
        }
    }

    @Test func failuresBackOffFromThirtySecondsToAnHour() throws {
        // Given a pending email
        let (world, _) = try worldWithEmails()
        let email = try #require(try world.db.pendingEmails(now: now, limit: 1).first)
        // When each delivery attempt fails as soon as it is due
        var when = now
        var delays: [TimeInterval] = []
        for attempt in 1...9 {
            try world.db.markDeliveryFailed(emailID: email.id, error: "sendmail exited with 75 (\(attempt))", now: when)
            let row = try #require(try world.db.dbPool.read { try OutboxRecord.fetchOne($0, key: email.id) })
            #expect(row.attempts == attempt)
            #expect(row.lastError == "sendmail exited with 75 (\(attempt))")
            delays.append(row.nextAttemptAt.timeIntervalSince(when))
            // Then it is not due again until its delay has passed
            #expect(try !world.db.pendingEmails(now: row.nextAttemptAt.addingTimeInterval(-1), limit: 10).contains { $0.id == email.id })
            #expect(try world.db.pendingEmails(now: row.nextAttemptAt, limit: 10).contains { $0.id == email.id && $0.attempts == attempt })
            when = row.nextAttemptAt
        }
        #expect(delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
        // And it is still pending: never lost
        #expect(try world.db.outboxCounts().pending == 3)
        // And a long error is kept short
        try world.db.markDeliveryFailed(emailID: email.id, error: String(repeating: "e", count: 5_000), now: when)
        let row = try #require(try world.db.dbPool.read { try OutboxRecord.fetchOne($0, key: email.id) })
        #expect(row.lastError?.count == 1_000)
    }

    @Test func aRetriedEmailWaitsBehindNothingElse() throws {
        // Given the first email failed once and the others wait
        let (world, _) = try worldWithEmails()
        let pending = try world.db.pendingEmails(now: now, limit: 10)
        try world.db.markDeliveryFailed(emailID: pending[0].id, error: "x", now: now)
        // Then the others are due at once, the failed one after its delay, in due order
        #expect(try world.db.pendingEmails(now: now, limit: 10).map(\.id) == [pending[1].id, pending[2].id])
        #expect(try world.db.pendingEmails(now: now.addingTimeInterval(30), limit: 10).map(\.id)
            == [pending[1].id, pending[2].id, pending[0].id])
    }

    @Test func deliveredEmailsCanBeForgottenButPendingOnesNever() throws {
        // Given one email delivered yesterday and two still pending
        let (world, _) = try worldWithEmails()
        let pending = try world.db.pendingEmails(now: now, limit: 10)
        try world.db.markDelivered(emailID: pending[0].id, now: now)
        try world.db.markDeliveryFailed(emailID: pending[1].id, error: "x", now: now)
        // When delivered emails older than a day are removed, a day later
        let removed = try world.db.deleteDeliveredEmails(deliveredBefore: now.addingTimeInterval(1))
        // Then only the delivered one is gone, and the request keeps its history
        #expect(removed == 1)
        #expect(try world.db.outboxCounts() == (pending: 2, delivered: 0))
        #expect(try world.db.dbPool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM request_event WHERE kind = 'email_sent'") } == 3)
    }
}
