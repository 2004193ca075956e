import Foundation
import Testing

/// `contacts-admin backup` and `outbox` as an operator runs them.
@Suite(.timeLimit(.minutes(2)))
struct BackupBinaryTests {
    @Test func backupWritesAnOwnerOnlyCopyAndNeverOverwrites() throws {
        let directory = try OperatorBinaryTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("contacts.sqlite").path
        let added = try OperatorBinaryTests.run("contacts-admin", [
            "add-account", "--database", database, "--id", "aa123-ovh", "--name", "Anna Nowak",
            "--email", "anna@example.pl", "--language", "pl", "--password", "a-long-password",
        ], in: directory)
        #expect(added.status == 0, "\(added.output)")

        // Made under umask 022, the copy is still the owner's only
        let copy = directory.appendingPathComponent("backup.sqlite").path
        let backup = try OperatorBinaryTests.run("contacts-admin", ["backup", "--database", database, "--to", copy], in: directory)
        #expect(backup.status == 0, "\(backup.output)")
        #expect(OperatorBinaryTests.mode(copy) == 0o600)
        // ... a database the app opens: the account is there
        let again = try OperatorBinaryTests.run("contacts-admin", [
            "set-payment", "--database", copy, "--id", "aa123-ovh", "--status", "overdue",
        ], in: directory)
        #expect(again.status == 0, "\(again.output)")

        // A second backup to the same file is refused and leaves it alone
        let size = try FileManager.default.attributesOfItem(atPath: copy)[.size] as? Int
        let refused = try OperatorBinaryTests.run("contacts-admin", ["backup", "--database", database, "--to", copy], in: directory)
        #expect(refused.status == 1)
        #expect(refused.output.contains("already exists"), "\(refused.output)")
        #expect(try FileManager.default.attributesOfItem(atPath: copy)[.size] as? Int == size)
    }

    @Test func outboxShowsTheCountsByState() throws {
        let directory = try OperatorBinaryTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("contacts.sqlite").path
        let shown = try OperatorBinaryTests.run("contacts-admin", ["outbox", "--database", database], in: directory)
        #expect(shown.status == 0, "\(shown.output)")
        #expect(shown.output.contains("Pending: 0\nDelivered: 0\nGiven up: 0\n"), "\(shown.output)")
        let retried = try OperatorBinaryTests.run("contacts-admin", ["outbox", "--database", database, "--retry-given-up"], in: directory)
        #expect(retried.status == 0 && retried.output.contains("Queued 0 given-up emails"), "\(retried.output)")
    }
}
