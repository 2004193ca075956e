import ContactsDomain
import Foundation
import Testing
@testable import Mailer

@Suite struct MessageFormatterTests {
    @Test func headersOfAMessage() throws {
        let message = try sampleMessage()
        #expect(message.headers.map(\.name) == [
            "From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
            "Content-Transfer-Encoding", "Content-Language", "Auto-Submitted",
        ])
        #expect(message.header("From") == "Service Contacts <no-reply@contacts.example.com>")
        #expect(message.header("To") == "pl100001-ovh@example.com")
        #expect(message.header("Date") == "Sun, 15 Jun 2025 16:53:20 +0000")
        #expect(message.header("MIME-Version") == "1.0")
        #expect(message.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(message.header("Content-Transfer-Encoding") == "quoted-printable")
        #expect(message.header("Content-Language") == "pl")
        #expect(message.header("Auto-Submitted") == "auto-generated")
    }

    @Test func polishSubjectIsAnEncodedWord() throws {
        let message = try sampleMessage(subject: "Zmiana kontaktu — potwierdź")
        #expect(message.header("Subject") == "=?UTF-8?B?Wm1pYW5hIGtvbnRha3R1IOKAlCBwb3R3aWVyZMW6?=")
        #expect(ParsedMessage(message.text)?.header("Subject") == "Zmiana kontaktu — potwierdź")
    }

    @Test func longSubjectsFoldIntoSeveralWordsWithoutSplittingCharacters() throws {
        let subject = String(repeating: "Confirmação da alteração do contacto técnico — ", count: 4) + "ação"
        let message = try sampleMessage(subject: subject)
        let lines = try #require(message.header("Subject")).components(separatedBy: "\r\n")
        #expect(lines.count > 3)
        #expect(("Subject: " + lines[0]).utf8.count <= 78)
        for line in lines.dropFirst() {
            #expect(line.hasPrefix(" =?UTF-8?B?"))
            #expect(line.utf8.count <= 78)
        }
        for word in lines.map({ $0.trimmingCharacters(in: .whitespaces) }) {
            #expect(word.utf8.count <= 75)
            // Each word decodes on its own: no character is cut in two.
            let data = try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
            #expect(String(data: data, encoding: .utf8) != nil)
        }
        #expect(ParsedMessage(message.text)?.header("Subject") == subject)
    }

    @Test func asciiSubjectsStayReadableAndLongOnesFoldAtSpaces() throws {
        #expect(try sampleMessage(subject: "Richiesta confermata").header("Subject") == "Richiesta confermata")
        let long = String(repeating: "Richiesta di modifica confermata ", count: 5) + "fine"
        let folded = try #require(try sampleMessage(subject: long).header("Subject"))
        #expect(folded.contains("\r\n "))
        #expect(folded.replacingOccurrences(of: "\r\n", with: "") == long)
        // Something that looks like an encoded-word is encoded, so nobody decodes it by mistake.
        #expect(try sampleMessage(subject: "=?UTF-8?B?SGk=?=").header("Subject")?.hasPrefix("=?UTF-8?B?PT9") == true)
    }

    @Test func bodyIsQuotedPrintableAndRoundTrips() throws {
        let long = String(repeating: "Zażółć gęślą jaźń, ", count: 12)
        let text = "Dzień dobry,\n\n\(long)\nKod: 7f3a=9b \nhttps://contacts.example.com/requests/12?code="
            + String(repeating: "x", count: 120) + "\n"
        let message = try sampleMessage(body: text)
        #expect(message.body.contains("Dzie=C5=84 dobry,\r\n"))
        #expect(message.body.contains("Kod: 7f3a=3D9b=20\r\n"))
        for line in message.body.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76)
            #expect(line.unicodeScalars.allSatisfy { $0.isASCII })
            #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"))
        }
        let decoded = String(decoding: QuotedPrintable.decode(message.body), as: UTF8.self)
        #expect(decoded == text.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test func bodyLineBreaksOfAnyKindBecomeCRLF() {
        #expect(QuotedPrintable.encode("a\nb\r\nc\rd") == "a\r\nb\r\nc\r\nd\r\n")
        #expect(QuotedPrintable.encode("") == "\r\n")
        #expect(QuotedPrintable.encode("end\n") == "end\r\n")
    }

    @Test func linesThatRelaysOrMailboxesCouldMisreadAreEncoded() {
        #expect(QuotedPrintable.encode(".\nFrom here\nFrom") == "=2E\r\n=46rom here\r\nFrom\r\n")
    }

    @Test func softBreaksNeverSplitACharacter() {
        let encoded = QuotedPrintable.encode(String(repeating: "ź", count: 40))
        for line in encoded.components(separatedBy: "\r\n") where !line.isEmpty {
            // Whole characters only: each line is a run of "=C5=BA", possibly with a soft break.
            #expect(line.replacingOccurrences(of: "=C5=BA", with: "").allSatisfy { $0 == "=" })
        }
    }

    @Test func crlfEverywhere() throws {
        let message = try sampleMessage(
            subject: String(repeating: "Żądanie zmiany kontaktu ", count: 6), body: "a\nb\rc\r\nd")
        let bytes = Array(message.data)
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0A { #expect(index > 0 && bytes[index - 1] == 0x0D) }
            if byte == 0x0D { #expect(index + 1 < bytes.count && bytes[index + 1] == 0x0A) }
        }
        #expect(message.text.hasSuffix("\r\n"))
        #expect(message.text.contains("\r\n\r\n"))
    }

    @Test(arguments: [
        "Potwierdź\r\nBcc: everyone@example.com", "line\nbreak", "carriage\rreturn", "nul\u{0}", "bell\u{7}",
        "delete\u{7F}", "next line\u{85}", "separator\u{2028}", "tab\there",
    ])
    func headerInjectionIsRefusedInTheSubject(subject: String) {
        #expect(throws: MailFormatError.controlCharacter(header: "Subject")) {
            try sampleMessage(subject: subject)
        }
    }

    @Test func headerInjectionIsRefusedInAddresses() throws {
        #expect(throws: MailFormatError.controlCharacter(header: "To")) {
            try formatter.message(outboxID: 1, createdAt: now, to: "a@example.com\r\nBcc: b@example.com",
                                  language: .it, subject: "Ciao", bodyText: "")
        }
        #expect(throws: MailFormatError.invalidAddress(header: "To")) {
            try formatter.message(outboxID: 1, createdAt: now, to: "a@example.com, b@example.com",
                                  language: .it, subject: "Ciao", bodyText: "")
        }
        #expect(throws: MailFormatError.controlCharacter(header: "From")) {
            try MessageFormatter(from: EmailAddress(trusted: "a@example.com\nBcc: b@example.com"))
        }
        #expect(throws: MailFormatError.controlCharacter(header: "From")) {
            try MessageFormatter(from: EmailAddress(parsing: "a@example.com"), fromName: "Contacts\r\nBcc: x")
        }
        #expect(throws: MailFormatError.invalidMessageIDDomain) {
            try MessageFormatter(from: EmailAddress(parsing: "a@example.com"), messageIDDomain: "bad>domain")
        }
    }

    @Test func fromNamesAreQuotedOrEncodedAsNeeded() throws {
        let address = try EmailAddress(parsing: "no-reply@example.com")
        let quoted = try MessageFormatter(from: address, fromName: "Contacts, \"OVH\"")
        #expect(try quoted.message(outboxID: 1, createdAt: now, to: "a@example.com", language: .pt, subject: "Olá",
                                   bodyText: "").header("From") == "\"Contacts, \\\"OVH\\\"\" <no-reply@example.com>")
        let encoded = try MessageFormatter(from: address, fromName: "Kontakty usług")
        let from = try encoded.message(outboxID: 1, createdAt: now, to: "a@example.com", language: .pl,
                                       subject: "Cześć", bodyText: "").header("From")
        #expect(from?.hasPrefix("=?UTF-8?B?") == true)
        #expect(from?.hasSuffix("?= <no-reply@example.com>") == true)
        let plain = try MessageFormatter(from: address)
        #expect(try plain.message(outboxID: 1, createdAt: now, to: "a@example.com", language: .pl, subject: "x",
                                  bodyText: "").header("From") == "no-reply@example.com")
    }

    @Test func messageIDIsStablePerOutboxRowAndUniqueAcrossRows() throws {
        let first = try sampleMessage(id: 7)
        let retry = try sampleMessage(id: 7, body: "the same row, another attempt")
        let other = try sampleMessage(id: 8)
        let sameIDLaterDatabase = try formatter.message(
            outboxID: 7, createdAt: now.addingTimeInterval(0.001), to: "a@example.com", language: .pl,
            subject: "x", bodyText: "")
        #expect(first.messageID == retry.messageID)
        #expect(first.messageID != other.messageID)
        #expect(first.messageID != sameIDLaterDatabase.messageID)
        #expect(first.header("Message-ID") == first.messageID)
        #expect(first.messageID.hasPrefix("<outbox.7."))
        #expect(first.messageID.hasSuffix("@contacts.example.com>"))
    }

    @Test func datesInRFC5322Form() {
        #expect(MessageFormatter.rfc5322Date(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MessageFormatter.rfc5322Date(now) == "Sun, 15 Jun 2025 16:53:20 +0000")
    }
}
