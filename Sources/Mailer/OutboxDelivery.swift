import ContactsDomain
import ContactsStore
import Foundation
import Logging

/// The outbox operations delivery needs; `AppDatabase` and `PostgresStore` provide them.
public protocol OutboxStore: Sendable {
    func pendingEmails(now: Date, limit: Int) throws -> [PendingEmail]
    func markDelivered(emailID: Int64, now: Date) throws
    func markDeliveryFailed(emailID: Int64, error: String, now: Date) throws
    /// Records a failure and gives the row up once it has failed for `giveUpAfter` seconds;
    /// returns whether it was given up.
    func recordDeliveryFailure(emailID: Int64, error: String, now: Date, giveUpAfter: TimeInterval) throws -> Bool
    /// Empties the write-ahead log after a batch, so delivered bodies leave no copy there.
    func truncateWriteAheadLog() throws -> Bool
}

extension OutboxStore {
    /// Stores that cannot give up retry for ever.
    public func recordDeliveryFailure(emailID: Int64, error: String, now: Date, giveUpAfter: TimeInterval) throws -> Bool {
        try markDeliveryFailed(emailID: emailID, error: error, now: now)
        return false
    }

    /// Stores without a write-ahead log have nothing to empty.
    public func truncateWriteAheadLog() throws -> Bool { true }
}

extension AppDatabase: OutboxStore {}
/// PostgreSQL has no write-ahead log file to empty: delivered bodies are overwritten in place.
extension PostgresStore: OutboxStore {}

/// How many emails one pass delivered, and how many failed (and stay queued for a retry, or,
/// counted in `givenUp` too, were given up).
public struct DeliveryCounts: Sendable, Equatable {
    public var delivered: Int
    public var failed: Int
    public var givenUp: Int

    public init(delivered: Int = 0, failed: Int = 0, givenUp: Int = 0) {
        self.delivered = delivered
        self.failed = failed
        self.givenUp = givenUp
    }

    public static func + (lhs: Self, rhs: Self) -> Self {
        Self(delivered: lhs.delivered + rhs.delivered, failed: lhs.failed + rhs.failed, givenUp: lhs.givenUp + rhs.givenUp)
    }
}

extension MessageFormatter {
    /// The message for an outbox row, dated when the row was written.
    public func message(for pending: PendingEmail) throws(MailFormatError) -> MailMessage {
        try message(
            outboxID: pending.id, createdAt: pending.createdAt, to: pending.email.toAddress,
            language: pending.email.language, subject: pending.email.subject, bodyText: pending.email.bodyText)
    }
}

/// Delivers the outbox: each due row is formatted, handed to the transport, and recorded as
/// delivered at once; a failure is recorded instead (the store counts the attempt and schedules
/// the next one with backoff), logged, and counted. No row is ever dropped: one that has failed
/// for `giveUpAfter` seconds is given up, kept with its error until an operator retries it.
///
/// Never sent twice, with one window left: a row is marked delivered right after the transport
/// accepted it, so a later pass never picks it up again, but a crash (or a database error) after
/// the transport accepted the message and before the mark commits leaves the row pending, and
/// it is sent again: delivery is at-least-once. The second copy carries the same Message-ID
/// (derived from the row), which lets receivers drop it; `DirectoryTransport` recognises its own
/// earlier file and writes nothing. Two delivery processes on one database would each send the
/// same rows: run one at a time (`DeliveryLock`).
///
/// Logs name the outbox row and the recipient's customer ID, never the address, subject or body
/// (bodies hold personal codes).
public final class OutboxDelivery: Sendable {
    let database: any OutboxStore
    let transport: any MailTransport
    let formatter: MessageFormatter
    let clock: @Sendable () -> Date
    let logger: Logger
    let giveUpAfter: TimeInterval

    public init(
        database: any OutboxStore, transport: any MailTransport, formatter: MessageFormatter,
        clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "contacts.mailer"),
        giveUpAfter: TimeInterval = DeliveryPolicy.defaultGiveUpAfter
    ) {
        self.giveUpAfter = giveUpAfter
        self.database = database
        self.transport = transport
        self.formatter = formatter
        self.clock = clock
        self.logger = logger
    }

    /// One pass: delivers up to `limit` emails that are due, oldest first; `stop` is asked
    /// before each one. Throws only when the database fails (the pass ends there).
    @discardableResult
    public func deliverDue(limit: Int = 100, until stop: () -> Bool = { false }) throws -> DeliveryCounts {
        var counts = DeliveryCounts()
        for pending in try database.pendingEmails(now: clock(), limit: limit) {
            if stop() { break }
            let metadata: Logger.Metadata = [
                "outbox_id": "\(pending.id)", "recipient": "\(pending.email.recipient.rawValue)",
                "attempt": "\(pending.attempts + 1)",
            ]
            do {
                let message = try formatter.message(for: pending)
                try transport.send(message, envelopeRecipient: pending.email.toAddress)
            } catch {
                counts.failed += 1
                let reason = String(describing: error)
                let errorMetadata = metadata.merging(["error": "\(reason)"]) { $1 }
                if try database.recordDeliveryFailure(emailID: pending.id, error: reason, now: clock(), giveUpAfter: giveUpAfter) {
                    counts.givenUp += 1
                    logger.error("email given up after failing too long; `contacts-admin outbox --retry-given-up` queues it again",
                                 metadata: errorMetadata)
                } else {
                    logger.warning("email not delivered; it stays queued and will be retried", metadata: errorMetadata)
                }
                continue
            }
            do {
                try database.markDelivered(emailID: pending.id, now: clock())
            } catch {
                logger.error("email sent but not recorded as delivered; it will be sent again",
                             metadata: metadata.merging(["error": "\(error)"]) { $1 })
                throw error
            }
            counts.delivered += 1
            logger.info("email delivered", metadata: metadata)
        }
        if counts.delivered > 0 {
            // The bodies just erased (codes) must not survive in the -wal file. The emails are
            // delivered either way: a failure here is logged, and the next batch tries again.
            do {
                if try !database.truncateWriteAheadLog() {
                    logger.notice("write-ahead log not emptied after delivery (a reader was busy); next batch retries")
                }
            } catch {
                logger.error("write-ahead log not emptied after delivery", metadata: ["error": "\(error)"])
            }
        }
        return counts
    }

    /// Delivers continuously: a pass, then (unless the pass was full and more may be due) a
    /// wait of `interval` seconds, until `stop` returns true; `stop` is asked often, so a signal
    /// handler setting a flag ends the loop within a fraction of a second once the current
    /// email is handed over. Database errors are logged and the loop carries on after the wait.
    /// `report` receives the counts of every pass that did something.
    ///
    /// `housekeeping`, when given, runs at the start and then every `housekeepingInterval`
    /// seconds between passes (`deliver-mail --loop` purges expired sessions and throttle rows
    /// with it); its errors are logged like a pass's.
    public func run(
        interval: TimeInterval, batchSize: Int = 100, until stop: () -> Bool,
        housekeepingInterval: TimeInterval = 3_600, housekeeping: (() throws -> Void)? = nil,
        report: (DeliveryCounts) -> Void = { _ in }
    ) {
        var nextHousekeeping = Date.distantPast
        while !stop() {
            if let housekeeping, Date() >= nextHousekeeping {
                nextHousekeeping = Date().addingTimeInterval(housekeepingInterval)
                do {
                    try housekeeping()
                } catch {
                    logger.error("housekeeping failed", metadata: ["error": "\(error)"])
                }
            }
            var full = false
            do {
                let counts = try deliverDue(limit: batchSize, until: stop)
                if counts != DeliveryCounts() { report(counts) }
                full = counts.delivered + counts.failed >= batchSize
            } catch {
                logger.error("outbox delivery pass failed", metadata: ["error": "\(error)"])
            }
            if full { continue }
            let deadline = Date().addingTimeInterval(interval)
            while !stop(), Date() < deadline {
                Thread.sleep(forTimeInterval: min(0.2, max(0, deadline.timeIntervalSinceNow)))
            }
        }
    }
}
