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

/// An email the relay keeps refusing, given up by deliver-mail, listed and retried by `outbox`.
@Suite(.timeLimit(.minutes(3)))
struct GivenUpEmailBinaryTests {
    @Test func aRefusedEmailIsGivenUpListedAndDeliveredAfterARetry() throws {
        let world = try ContactChangeFlowTests.World(tag: "gu", language: "pl")
        let admin = Browser(port: world.server.port)
        try admin.signIn(world.admin)
        let editURL = try world.editURL(admin)
        #expect(try admin.submit(editURL, from: editURL, form: [("new_tech", world.newcomer.id)]).status == 303)

        let directory = try OperatorBinaryTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = world.server.databasePath
        // A relay that refuses everything, and no patience at all
        let refused = try OperatorBinaryTests.run("contacts-admin", [
            "deliver-mail", "--database", database, "--sendmail", "/bin/false", "--from", "no-reply@example.com",
            "--give-up-after", "0",
        ], in: directory)
        #expect(refused.status == 2, "\(refused.output)")
        #expect(refused.output.contains("given up 2"), "\(refused.output)")

        let shown = try OperatorBinaryTests.run("contacts-admin", ["outbox", "--database", database], in: directory)
        #expect(shown.status == 3, "\(shown.output)")
        #expect(shown.output.contains("Pending: 0\n") && shown.output.contains("Given up: 2\n"), "\(shown.output)")
        #expect(shown.output.contains("\(world.admin.id) <\(world.admin.email)>"), "\(shown.output)")
        #expect(shown.output.contains("\(world.newcomer.id) <\(world.newcomer.email)>"), "\(shown.output)")
        // A later run does not try them again
        let later = try OperatorBinaryTests.run("contacts-admin", [
            "deliver-mail", "--database", database, "--sendmail", "/bin/false", "--from", "no-reply@example.com",
        ], in: directory)
        #expect(later.status == 0 && later.output.contains("Delivered 0"), "\(later.output)")

        let retried = try OperatorBinaryTests.run("contacts-admin", ["outbox", "--database", database, "--retry-given-up"], in: directory)
        #expect(retried.status == 0 && retried.output.contains("Queued 2 given-up emails"), "\(retried.output)")
        #expect(Set(try world.mailbox.deliver().map(\.to)) == [world.admin.email, world.newcomer.email])
        let after = try OperatorBinaryTests.run("contacts-admin", ["outbox", "--database", database], in: directory)
        #expect(after.status == 0 && after.output.contains("Delivered: 2\nGiven up: 0\n"), "\(after.output)")
    }
}
