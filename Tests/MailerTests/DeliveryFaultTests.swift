import ContactsDomain
import ContactsStore
import Foundation
import Testing
@testable import Mailer

/// A real sendmail-compatible command that fails, then hangs, then works, under the real
/// OutboxDelivery: the rows stay queued, wait out the backoff, and each is delivered once.
@Suite struct DeliveryFaultTests {
    @Test func aFailingThenHangingSendmailDeliversEachEmailExactlyOnceWhenItWorksAgain() throws {
        let folder = temporaryPath("sendmail-faults")
        defer { try? FileManager.default.removeItem(at: folder) }
        let mode = folder.appendingPathComponent("mode")
        let delivered = folder.appendingPathComponent("delivered")
        // The command reads what to do from a file: exit 75 (EX_TEMPFAIL), hang, or deliver.
        let command = try script("""
            case "$(cat '\(mode.path)')" in
              fail) cat >/dev/null; echo "451 4.3.0 try again later" >&2; exit 75 ;;
              hang) cat >/dev/null; sleep 30 ;;
              *) { echo "--- $1"; cat; echo; } >> '\(delivered.path)' ;;
            esac
            """, named: "sendmail", in: folder)
        func set(_ value: String) throws { try Data(value.utf8).write(to: mode) }

        let database = try databaseWithTwoQueuedEmails()
        let clock = TestClock(now)
        let delivery = OutboxDelivery(database: database, transport: SendmailTransport(command: [command], timeout: 0.5),
                                      formatter: formatter, clock: { clock.now })

        try set("fail")
        #expect(try delivery.deliverDue() == DeliveryCounts(delivered: 0, failed: 2))
        #expect(try database.outboxCounts() == (pending: 2, delivered: 0))
        // Not retried before the backoff.
        #expect(try delivery.deliverDue() == DeliveryCounts())

        try set("hang")
        clock.advance(by: DeliveryPolicy.retryDelay(afterFailures: 1))
        let started = Date()
        #expect(try delivery.deliverDue() == DeliveryCounts(delivered: 0, failed: 2))
        #expect(Date().timeIntervalSince(started) < 10, "a hanging command is killed after its timeout")
        #expect(try database.outboxCounts() == (pending: 2, delivered: 0))
        #expect(!FileManager.default.fileExists(atPath: delivered.path))

        try set("ok")
        clock.advance(by: DeliveryPolicy.retryDelay(afterFailures: 1))
        #expect(try delivery.deliverDue() == DeliveryCounts(), "the second failure doubled the wait")
        clock.advance(by: DeliveryPolicy.retryDelay(afterFailures: 2))
        #expect(try delivery.deliverDue() == DeliveryCounts(delivered: 2, failed: 0))
        clock.advance(by: 7 * 86_400)
        #expect(try delivery.deliverDue() == DeliveryCounts())
        #expect(try database.outboxCounts() == (pending: 0, delivered: 2))

        let log = try String(contentsOf: delivered, encoding: .utf8)
        let recipients = log.split(separator: "\n").filter { $0.hasPrefix("--- ") }.map { String($0.dropFirst(4)) }
        #expect(recipients.sorted() == ["it300003-ovh@example.com", "pl100001-ovh@example.com"], "each once")
        #expect(log.components(separatedBy: "Message-ID:").count - 1 == 2)
    }
}
