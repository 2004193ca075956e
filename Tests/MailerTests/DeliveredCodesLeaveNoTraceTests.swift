import ContactsDomain
import Foundation
import GRDB
import Testing
@testable import ContactsStore
@testable import Mailer

/// After a delivery batch the codes it carried are in no file of the database: the body is
/// erased (`markDelivered`), zeroed in its page (`secure_delete`) and the write-ahead log that
/// still held the inserted row is emptied (`wal_checkpoint(TRUNCATE)`).
@Suite struct DeliveredCodesLeaveNoTraceTests {
    @Test func aDeliveredCodeIsInNoFileOfTheDatabaseDirectory() throws {
        // Given two queued emails with their codes, in a database on a real file
        let database = try databaseWithTwoQueuedEmails()
        let codes = try database.pendingEmails(now: now, limit: 10).map { pending in
            try #require(pending.email.bodyText.components(separatedBy: "kod: ").last?
                .trimmingCharacters(in: .whitespacesAndNewlines))
        }
        try #require(codes.count == 2 && codes.allSatisfy { $0.count >= 20 })
        let directory = URL(fileURLWithPath: database.dbPool.path).deletingLastPathComponent()
        #expect(try Self.filesContaining(codes, in: directory).isEmpty == false, "the codes are on disk before delivery")

        // When one batch delivers them
        let transport = RecordingTransport()
        let counts = try OutboxDelivery(database: database, transport: transport, formatter: formatter, clock: { now })
            .deliverDue(limit: 10)
        #expect(counts == DeliveryCounts(delivered: 2, failed: 0))

        // Then no byte of the .sqlite, -wal or -shm file spells either code
        #expect(try Self.filesContaining(codes, in: directory) == [])
        #expect(transport.acceptedMessages.count == 2)
    }

    @Test func aCodeAlreadyCopiedIntoTheDatabaseFileIsZeroedThereToo() throws {
        // Given queued emails long enough for overflow pages (a bulk request's list of
        // services), which an earlier checkpoint copied into the .sqlite file
        let database = try Self.databaseWithLongEmails()
        let codes = try database.pendingEmails(now: now, limit: 10).compactMap {
            $0.email.bodyText.components(separatedBy: "kod: ").last?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try #require(codes.count == 2)
        try #require(try database.truncateWriteAheadLog())
        let directory = URL(fileURLWithPath: database.dbPool.path).deletingLastPathComponent()
        #expect(try Self.filesContaining(codes, in: directory) == ["contacts.sqlite"])
        // When they are delivered
        try OutboxDelivery(database: database, transport: RecordingTransport(), formatter: formatter, clock: { now })
            .deliverDue(limit: 10)
        // Then the freed space of their page was zeroed, not left holding the old body
        #expect(try Self.filesContaining(codes, in: directory) == [])
    }

    @Test func everyConnectionZeroesWhatItFrees() throws {
        // Debian's SQLite is built with SQLITE_SECURE_DELETE, so this is also its default there;
        // the store sets it anyway, for any other build.
        let database = try AppDatabase.temporary()
        #expect(try database.dbPool.write { try Int.fetchOne($0, sql: "PRAGMA secure_delete") } == 1)
        #expect(try database.dbPool.read { try Int.fetchOne($0, sql: "PRAGMA secure_delete") } == 1)
    }

    /// As `databaseWithTwoQueuedEmails`, with 12 KiB bodies that end with the code.
    static func databaseWithLongEmails() throws -> AppDatabase {
        let database = try AppDatabase.temporary(emails: LongCodeEmails())
        try database.createAccounts(["pl100001-ovh", "pt200002-ovh", "it300003-ovh"].map { id in
            (Account(id: cid(id), displayName: "Owner of \(id)", email: try! EmailAddress(parsing: "\(id)@example.com"),
                     language: .pl, paymentStatus: .upToDate), "not-a-real-hash")
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

    /// Each confirmer's code at the end of a 12 KiB body.
    struct LongCodeEmails: RequestEmailComposer {
        static let services = (1...600).map { "usluga-\($0).example.pl" }.joined(separator: "\n")

        func compose(_ kind: RequestDecision.Email.Kind, to recipient: Account, code: String?, about request: RequestSnapshot) -> OutgoingEmail {
            OutgoingEmail(recipient: recipient.id, toAddress: recipient.email.rawValue, language: recipient.language,
                          subject: "Zmiana kontaktu", bodyText: "Usługi:\n\(Self.services)\nTwój kod: \(code ?? "")\n")
        }
    }

    /// The names of the files in `directory` whose raw bytes contain one of `needles`.
    static func filesContaining(_ needles: [String], in directory: URL) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names.contains { $0.hasSuffix(".sqlite") })
        return try names.filter { name in
            let bytes = try Data(contentsOf: directory.appendingPathComponent(name))
            return needles.contains { bytes.range(of: Data($0.utf8)) != nil }
        }
    }
}
