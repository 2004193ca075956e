import ContactsDomain
import ContactsStore
import Foundation
import Testing
@testable import Mailer

/// A clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date) { current = start }
    var now: Date { lock.withLock { current } }
    func advance(by seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

/// A transport that records what it is handed and fails while `failuresLeft` > 0.
final class RecordingTransport: MailTransport, @unchecked Sendable {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "relay refused: 451 try again later" }
    }
    private let lock = NSLock()
    private var failuresLeft: Int
    private(set) var accepted: [MailMessage] = []
    private(set) var refused: [MailMessage] = []

    init(failing failures: Int = 0) { failuresLeft = failures }

    var acceptedMessages: [MailMessage] { lock.withLock { accepted } }
    var refusedMessages: [MailMessage] { lock.withLock { refused } }

    func send(_ message: MailMessage, envelopeRecipient: String) throws {
        try lock.withLock {
            if failuresLeft > 0 {
                failuresLeft -= 1
                refused.append(message)
                throw Refused()
            }
            accepted.append(message)
        }
    }
}

/// Writes each confirmer's code in a short Polish email.
struct CodeEmails: RequestEmailComposer {
    let subject: String

    func compose(_ kind: RequestDecision.Email.Kind, to recipient: Account, code: String?, about request: RequestSnapshot) -> OutgoingEmail {
        OutgoingEmail(
            recipient: recipient.id, toAddress: recipient.email.rawValue, language: recipient.language,
            subject: subject, bodyText: "Dzień dobry,\nTwój kod: \(code ?? "")\n")
    }
}

/// A database with a service (admin pl100001, tech pt200002) and one request by the admin to
/// make it200003 the technical contact: the composer writes one email per confirmer (the admin
/// and the new contact), each with its code, in the confirmer's language.
func databaseWithTwoQueuedEmails(subject: String = "Zmiana kontaktu — potwierdź") throws -> AppDatabase {
    let database = try AppDatabase.temporary(emails: CodeEmails(subject: subject))
    let accounts: [(String, Language)] = [("pl100001-ovh", .pl), ("pt200002-ovh", .pt), ("it300003-ovh", .it)]
    try database.createAccounts(accounts.map { id, language in
        (Account(id: cid(id), displayName: "Owner of \(id)", email: try! EmailAddress(parsing: "\(id)@example.com"),
                 language: language, paymentStatus: .upToDate), "not-a-real-hash")
    }, now: now)
    let holders = RoleHolders(administrative: cid("pl100001-ovh"), technical: cid("pt200002-ovh"), billing: cid("pl100001-ovh"))
    let service = try database.addService(
        name: "kowalski-sklep.pl", type: .domain,
        administrative: holders.administrative, technical: holders.technical, billing: holders.billing)
    try database.createRequests(
        onService: service, by: cid("pl100001-ovh"), changes: [.technical: cid("it300003-ovh")],
        expectedHolders: holders, now: now, expiresAfter: 14 * 86_400)
    return database
}

@Suite struct OutboxDeliveryTests {
    @Test func queuedEmailsAreDeliveredExactlyOnceAcrossTwoRuns() throws {
        // Given two queued emails and a mail directory
        let database = try databaseWithTwoQueuedEmails()
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = TestClock(now)
        let delivery = OutboxDelivery(
            database: database, transport: DirectoryTransport(directory: directory), formatter: formatter,
            clock: { clock.now })

        // When delivering twice
        let first = try delivery.deliverDue()
        clock.advance(by: 3_600)
        let second = try delivery.deliverDue()

        // Then both were delivered by the first run, and nothing by the second
        #expect(first == DeliveryCounts(delivered: 2, failed: 0))
        #expect(second == DeliveryCounts(delivered: 0, failed: 0))
        #expect(try database.outboxCounts() == (pending: 0, delivered: 2))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files.count == 2)
        let recipients = try files.map { name in
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            let parsed = try #require(ParsedMessage(text))
            #expect(parsed.header("Subject") == "Zmiana kontaktu — potwierdź")
            #expect(parsed.body.hasPrefix("Dzień dobry,\r\nTwój kod: "))
            return try #require(parsed.header("To"))
        }
        #expect(Set(recipients) == ["pl100001-ovh@example.com", "it300003-ovh@example.com"])
        #expect(Set(files.map { String($0.prefix(20)) }) == ["20250615T165320.000Z"])
    }

    @Test func aFailureIsRetriedAfterTheBackoffThenDeliveredWithTheSameMessageID() throws {
        // Given two queued emails and a relay that refuses the first two attempts
        let database = try databaseWithTwoQueuedEmails()
        let transport = RecordingTransport(failing: 2)
        let clock = TestClock(now)
        let delivery = OutboxDelivery(database: database, transport: transport, formatter: formatter, clock: { clock.now })

        // When the first pass fails, they stay queued
        #expect(try delivery.deliverDue() == DeliveryCounts(delivered: 0, failed: 2))
        #expect(try database.outboxCounts() == (pending: 2, delivered: 0))
        // ... and are not retried before the backoff has passed
        clock.advance(by: DeliveryPolicy.firstRetryDelay - 1)
        #expect(try delivery.deliverDue() == DeliveryCounts(delivered: 0, failed: 0))
        // Then after it, they are delivered, each once, with the Message-ID of the first attempt
        clock.advance(by: 1)
        #expect(try delivery.deliverDue() == DeliveryCounts(delivered: 2, failed: 0))
        clock.advance(by: 86_400)
        #expect(try delivery.deliverDue() == DeliveryCounts(delivered: 0, failed: 0))
        #expect(try database.outboxCounts() == (pending: 0, delivered: 2))
        #expect(transport.acceptedMessages.count == 2)
        #expect(Set(transport.acceptedMessages.map(\.messageID)) == Set(transport.refusedMessages.map(\.messageID)))
        #expect(transport.acceptedMessages.map(\.outboxID).sorted() == transport.refusedMessages.map(\.outboxID).sorted())
    }

    @Test func repeatedFailuresWaitLongerEachTime() throws {
        let database = try databaseWithTwoQueuedEmails()
        let transport = RecordingTransport(failing: 4)
        let clock = TestClock(now)
        let delivery = OutboxDelivery(database: database, transport: transport, formatter: formatter, clock: { clock.now })

        #expect(try delivery.deliverDue().failed == 2)
        clock.advance(by: DeliveryPolicy.retryDelay(afterFailures: 1))
        #expect(try delivery.deliverDue().failed == 2)
        // The second failure doubled the wait.
        clock.advance(by: DeliveryPolicy.retryDelay(afterFailures: 1))
        #expect(try delivery.deliverDue() == DeliveryCounts())
        clock.advance(by: DeliveryPolicy.retryDelay(afterFailures: 2) - DeliveryPolicy.retryDelay(afterFailures: 1))
        #expect(try delivery.deliverDue() == DeliveryCounts(delivered: 2, failed: 0))
    }

    @Test func aRowThatCannotBeAMessageIsReportedAndKeptNotSent() throws {
        // Given emails whose subject holds a control character (bad data reached the outbox)
        let database = try databaseWithTwoQueuedEmails(subject: "Potwierdź\u{7}")
        let transport = RecordingTransport()
        let delivery = OutboxDelivery(database: database, transport: transport, formatter: formatter, clock: { now })

        // Then nothing goes out and the rows stay queued
        #expect(try delivery.deliverDue() == DeliveryCounts(delivered: 0, failed: 2))
        #expect(transport.acceptedMessages.isEmpty)
        #expect(try database.outboxCounts() == (pending: 2, delivered: 0))
    }

    @Test func theLoopDeliversUntilToldToStop() throws {
        let database = try databaseWithTwoQueuedEmails()
        let transport = RecordingTransport()
        let delivery = OutboxDelivery(database: database, transport: transport, formatter: formatter, clock: { now })
        var reports: [DeliveryCounts] = []
        var passes = 0

        // A batch of one: the loop goes on at once while batches are full, then waits.
        delivery.run(interval: 0.05, batchSize: 1, until: {
            passes += 1
            return transport.acceptedMessages.count == 2 && passes > 6
        }, report: { reports.append($0) })

        #expect(reports == [DeliveryCounts(delivered: 1), DeliveryCounts(delivered: 1)])
        #expect(try database.outboxCounts() == (pending: 0, delivered: 2))
    }

    @Test func aSendThatCannotBeRecordedEndsThePass() throws {
        // Given an outbox whose database fails when recording a delivery
        final class BrokenRecording: OutboxStore, @unchecked Sendable {
            struct DiskFull: Error {}
            let rows: [PendingEmail]
            var failuresRecorded = 0
            init(_ rows: [PendingEmail]) { self.rows = rows }
            func pendingEmails(now: Date, limit: Int) throws -> [PendingEmail] { Array(rows.prefix(limit)) }
            func markDelivered(emailID: Int64, now: Date) throws { throw DiskFull() }
            func markDeliveryFailed(emailID: Int64, error: String, now: Date) throws { failuresRecorded += 1 }
        }
        let email = OutgoingEmail(recipient: cid("pl100001-ovh"), toAddress: "pl100001-ovh@example.com",
                                  language: .pl, subject: "Kod", bodyText: "Twój kod: 1234")
        let store = BrokenRecording([1, 2].map { PendingEmail(id: $0, email: email, attempts: 0, createdAt: now) })
        let transport = RecordingTransport()
        let delivery = OutboxDelivery(database: store, transport: transport, formatter: formatter, clock: { now })

        // Then the pass ends at the first email (sent once, not counted as failed: it will be
        // sent again, at least once, with the same Message-ID) and the second is left alone
        #expect(throws: BrokenRecording.DiskFull.self) { try delivery.deliverDue() }
        #expect(transport.acceptedMessages.map(\.outboxID) == [1])
        #expect(store.failuresRecorded == 0)
    }

    @Test func onlyOneDeliveryProcessAtATime() throws {
        let path = temporaryPath().path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var lock: DeliveryLock? = try DeliveryLock(path: path)
        // flock locks belong to the open file description: a second open conflicts even in-process.
        withExtendedLifetime(lock) {
            _ = #expect(throws: DeliveryLock.Busy.self) { try DeliveryLock(path: path) }
        }
        // Released with its value.
        lock = nil
        #expect(throws: Never.self) { _ = try DeliveryLock(path: path) }
        #expect(lock == nil)
    }
}
