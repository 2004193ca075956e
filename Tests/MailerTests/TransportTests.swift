import ContactsDomain
import Foundation
import Testing
@testable import Mailer

@Suite struct DirectoryTransportTests {
    @Test func writesAParseableEmlFileNamedByDateAndOutboxID() throws {
        let directory = temporaryPath().appendingPathComponent("run/mail")
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent().deletingLastPathComponent()) }
        let message = try sampleMessage(id: 42)

        try DirectoryTransport(directory: directory).send(message, envelopeRecipient: "pl100001-ovh@example.com")

        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names == ["20250615T165320.000Z-42.eml"])
        let data = try Data(contentsOf: directory.appendingPathComponent(names[0]))
        #expect(data == message.data)
        let parsed = try #require(ParsedMessage(String(decoding: data, as: UTF8.self)))
        #expect(parsed.header("Subject") == "Zmiana kontaktu — potwierdź")
        #expect(parsed.header("To") == "pl100001-ovh@example.com")
        #expect(parsed.body == "Dzień dobry,\r\nkod: ABC-123\r\n")
        let permissions = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(names[0]).path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
    }

    @Test func theSameRowTwiceGivesOneFileAndAnUnrelatedMessageGetsASuffix() throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(at: directory) }
        let transport = DirectoryTransport(directory: directory)
        let message = try sampleMessage(id: 5)

        try transport.send(message, envelopeRecipient: "pl100001-ovh@example.com")
        try transport.send(message, envelopeRecipient: "pl100001-ovh@example.com")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["20250615T165320.000Z-5.eml"])

        try transport.send(try sampleMessage(id: 5, body: "another message"), envelopeRecipient: "pl100001-ovh@example.com")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
                == ["20250615T165320.000Z-5-2.eml", "20250615T165320.000Z-5.eml"])
    }

    @Test func anUnwritableDirectoryIsAnError() throws {
        let file = temporaryPath()
        try Data("not a directory".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(throws: MailTransportError.self) {
            try DirectoryTransport(directory: file).send(try sampleMessage(), envelopeRecipient: "a@example.com")
        }
    }
}

@Suite struct SendmailTransportTests {
    let folder = temporaryPath("sendmail")

    @Test func passesTheMessageOnStandardInputAndTheRecipientLast() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = try script("""
            printf '%s\\n' "$@" > "\(folder.path)/arguments"
            cat > "\(folder.path)/message"
            """, named: "sendmail", in: folder)
        let message = try sampleMessage()

        try SendmailTransport(command: [fake, "-i", "--"], timeout: 10)
            .send(message, envelopeRecipient: "pl100001-ovh@example.com")

        let arguments = try String(contentsOf: folder.appendingPathComponent("arguments"), encoding: .utf8)
        #expect(arguments == "-i\n--\npl100001-ovh@example.com\n")
        #expect(try Data(contentsOf: folder.appendingPathComponent("message")) == message.data)
    }

    @Test func aNonZeroExitIsAnErrorWithStandardError() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = try script("cat > /dev/null; echo 'sendmail: fatal: no such user' >&2; exit 75",
                              named: "failing", in: folder)
        #expect(throws: MailTransportError.commandFailed(
            command: "failing", status: 75, stderr: "sendmail: fatal: no such user")) {
            try SendmailTransport(command: [fake], timeout: 10).send(try sampleMessage(), envelopeRecipient: "a@example.com")
        }
    }

    @Test func aCommandThatHangsIsKilledAfterTheTimeout() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = try script("echo waiting >&2; sleep 30", named: "hanging", in: folder)
        let started = Date()
        #expect(throws: MailTransportError.timedOut(command: "hanging", seconds: 0.5, stderr: "waiting")) {
            try SendmailTransport(command: [fake], timeout: 0.5).send(try sampleMessage(), envelopeRecipient: "a@example.com")
        }
        // The shell and its `sleep` are both gone: nothing held the pipes open until the sleep ended.
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func aCommandThatExitsWithoutReadingTheMessageFails() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = try script("exit 0", named: "lazy", in: folder)
        let big = try sampleMessage(body: String(repeating: "Zażółć gęślą jaźń\n", count: 20_000))
        #expect(throws: MailTransportError.incompleteInput(command: "lazy", stderr: "")) {
            try SendmailTransport(command: [fake], timeout: 10).send(big, envelopeRecipient: "a@example.com")
        }
    }

    @Test func aMissingCommandCannotBeLaunched() throws {
        #expect(throws: MailTransportError.self) {
            try SendmailTransport(command: ["/nonexistent/sendmail"], timeout: 10)
                .send(try sampleMessage(), envelopeRecipient: "a@example.com")
        }
    }

    @Test(arguments: ["-oQ/tmp/x@example.com", "a@example.com b@example.com", "a@example.com\n", "not an address"])
    func recipientsThatCouldBeOptionsOrSeveralWordsAreRefused(recipient: String) throws {
        #expect(throws: MailTransportError.invalidRecipient) {
            try SendmailTransport(command: ["/bin/true"]).send(try sampleMessage(), envelopeRecipient: recipient)
        }
    }

    @Test func operatorCommandLinesSplitIntoWords() throws {
        #expect(try SendmailTransport.parseCommand("/usr/sbin/sendmail -i --") == ["/usr/sbin/sendmail", "-i", "--"])
        #expect(try SendmailTransport.parseCommand("  msmtp  -C '/etc/my msmtp.conf' \"-a\" de\\ fault ")
                == ["msmtp", "-C", "/etc/my msmtp.conf", "-a", "de fault"])
        #expect(throws: (any Error).self) { try SendmailTransport.parseCommand("sendmail 'oops") }
    }
}
