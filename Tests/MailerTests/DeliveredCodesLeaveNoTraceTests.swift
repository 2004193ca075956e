import ContactsDomain
import Foundation
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
