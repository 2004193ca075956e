import ContactsDomain
import Foundation
import Testing
@testable import ContactsStore

@Suite struct OutboxGiveUpTests {
    /// Two emails written at `now` (a request's creation emails to aa1 and dd4).
    private func world() throws -> (RequestWorld, [PendingEmail]) {
        let world = try RequestWorld()
        _ = try world.submitOne(by: world.admin, [.technical: world.newcomer])
        return (world, try world.db.pendingEmails(now: now, limit: 10))
    }

    @Test func failuresWithinTheLimitStayPendingThenTheEmailIsGivenUpWithItsError() throws {
        let (world, pending) = try world()
        let email = try #require(pending.first)
        let day: TimeInterval = 86_400
        #expect(try !world.db.recordDeliveryFailure(emailID: email.id, error: "451 first", now: now, giveUpAfter: 3 * day))
        #expect(try !world.db.recordDeliveryFailure(emailID: email.id, error: "451 again", now: now + 2 * day, giveUpAfter: 3 * day))
        #expect(try world.db.outboxSummary().pending == 2)
        // Three days after the first failure, not after the email was written or the last failure
        #expect(try world.db.recordDeliveryFailure(emailID: email.id, error: "550 no such user", now: now + 3 * day, giveUpAfter: 3 * day))

        let summary = try world.db.outboxSummary()
        #expect(summary == OutboxSummary(pending: 1, delivered: 0, givenUp: 1, oldestPendingCreatedAt: now))
        #expect(try world.db.outboxCounts() == (pending: 1, delivered: 0))
        #expect(try world.db.givenUpEmails() == [GivenUpEmail(
            id: email.id, recipient: world.admin, toAddress: "aa1-ovh@example.com", givenUpAt: now + 3 * day, attempts: 3, lastError: "550 no such user")])
        // Never due again, however late
        #expect(try world.db.pendingEmails(now: now + 365 * day, limit: 10).map(\.id) == [pending[1].id])
    }

    @Test func markDeliveryFailedNeverGivesUp() throws {
        let (world, pending) = try world()
        for days in [0.0, 10, 100] {
            try world.db.markDeliveryFailed(emailID: pending[0].id, error: "x", now: now + days * 86_400)
        }
        #expect(try world.db.outboxSummary().givenUp == 0)
    }

    @Test func aDeliveredOrUnknownEmailIsNeverGivenUp() throws {
        let (world, pending) = try world()
        try world.db.markDelivered(emailID: pending[0].id, now: now)
        #expect(try !world.db.recordDeliveryFailure(emailID: pending[0].id, error: "late", now: now + 9e6, giveUpAfter: 0))
        #expect(try !world.db.recordDeliveryFailure(emailID: 9_999, error: "x", now: now, giveUpAfter: 0))
        #expect(try world.db.outboxSummary() == OutboxSummary(pending: 1, delivered: 1, givenUp: 0, oldestPendingCreatedAt: now))
    }

    @Test func retryPutsGivenUpEmailsBackToPendingWithAFreshClock() throws {
        let (world, pending) = try world()
        for email in pending {
            #expect(try world.db.recordDeliveryFailure(emailID: email.id, error: "550", now: now, giveUpAfter: 0))
        }
        #expect(try world.db.outboxSummary().givenUp == 2)
        let later = now + 5 * 86_400
        #expect(try world.db.retryGivenUpEmails(now: later) == 2)
        #expect(try world.db.retryGivenUpEmails(now: later) == 0)
        #expect(try world.db.outboxSummary() == OutboxSummary(pending: 2, delivered: 0, givenUp: 0, oldestPendingCreatedAt: now))
        #expect(try world.db.pendingEmails(now: later, limit: 10).count == 2)
        // The clock starts again at the next failure: an hour later it is not given up yet
        #expect(try !world.db.recordDeliveryFailure(emailID: pending[0].id, error: "451", now: later, giveUpAfter: 7_200))
        #expect(try !world.db.recordDeliveryFailure(emailID: pending[0].id, error: "451", now: later + 3_600, giveUpAfter: 7_200))
        // Delivered after a retry: neither pending nor given up
        try world.db.markDelivered(emailID: pending[1].id, now: later)
        #expect(try world.db.outboxSummary() == OutboxSummary(pending: 1, delivered: 1, givenUp: 0, oldestPendingCreatedAt: now))
    }
}
