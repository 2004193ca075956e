import ContactsDomain
import ContactsStore
import Foundation
import Testing
@testable import Mailer

@Suite struct GiveUpTests {
    @Test func anEmailFailingPastTheLimitIsGivenUpAndNotRetried() throws {
        // Given two queued emails, a relay that refuses everything and a limit of one hour
        let database = try databaseWithTwoQueuedEmails()
        let transport = RecordingTransport(failing: 1_000)
        let clock = TestClock(now)
        let delivery = OutboxDelivery(
            database: database, transport: transport, formatter: formatter, clock: { clock.now }, giveUpAfter: 3_600)

        // When they fail at once and on every retry within the hour, they stay queued
        #expect(try delivery.deliverDue() == DeliveryCounts(delivered: 0, failed: 2))
        clock.advance(by: 1_800)
        #expect(try delivery.deliverDue() == DeliveryCounts(delivered: 0, failed: 2))
        #expect(try database.outboxSummary().pending == 2)

        // Then the first failure an hour after the first one gives them up
        clock.advance(by: 1_800)
        #expect(try delivery.deliverDue() == DeliveryCounts(delivered: 0, failed: 2, givenUp: 2))
        let summary = try database.outboxSummary()
        #expect(summary.pending == 0 && summary.givenUp == 2 && summary.oldestPendingCreatedAt == nil)
        #expect(try database.outboxCounts() == (pending: 0, delivered: 0))
        let givenUp = try database.givenUpEmails()
        #expect(givenUp.count == 2)
        #expect(givenUp.allSatisfy { $0.lastError == "relay refused: 451 try again later" && $0.givenUpAt == clock.now && $0.attempts == 3 })

        // ... and they are never tried again
        let attemptsSoFar = transport.refusedMessages.count
        clock.advance(by: 30 * 86_400)
        #expect(try delivery.deliverDue() == DeliveryCounts())
        #expect(transport.refusedMessages.count == attemptsSoFar)

        // ... until an operator retries them: due at once, delivered by a relay that works again
        #expect(try database.retryGivenUpEmails(now: clock.now) == 2)
        let working = OutboxDelivery(
            database: database, transport: RecordingTransport(), formatter: formatter, clock: { clock.now }, giveUpAfter: 3_600)
        #expect(try working.deliverDue() == DeliveryCounts(delivered: 2, failed: 0))
        #expect(try database.outboxSummary() == OutboxSummary(pending: 0, delivered: 2, givenUp: 0, oldestPendingCreatedAt: nil))
    }

    @Test func theDefaultLimitIsDeliveryPolicys() throws {
        let database = try databaseWithTwoQueuedEmails()
        let delivery = OutboxDelivery(database: database, transport: RecordingTransport(), formatter: formatter)
        #expect(delivery.giveUpAfter == DeliveryPolicy.defaultGiveUpAfter)
    }
}
