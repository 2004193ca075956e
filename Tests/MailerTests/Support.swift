import ContactsDomain
import Foundation
@testable import Mailer

/// A fixed instant: 2025-06-15 16:53:20 UTC, a Sunday.
let now = Date(timeIntervalSince1970: 1_750_006_400)

func cid(_ text: String) -> CustomerID {
    try! CustomerID(parsing: text)
}

let formatter = try! MessageFormatter(
    from: EmailAddress(parsing: "no-reply@contacts.example.com"), fromName: "Service Contacts")

/// A fresh directory under the system's temporary folder, not created yet.
func temporaryPath(_ name: String = "mailer") -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)", isDirectory: true)
}

/// A message as a reader sees it: unfolded, decoded header values and the decoded body.
struct ParsedMessage {
    var headers: [(name: String, value: String)] = []
    var body: String = ""

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Parses a message in CRLF form; nil when it is not one.
    init?(_ text: String) {
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let head = String(text[..<split.lowerBound]).replacingOccurrences(of: "\r\n ", with: " ")
        for line in head.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            headers.append((name, Self.decodeEncodedWords(value)))
        }
        let encoded = String(text[split.upperBound...])
        body = String(decoding: QuotedPrintable.decode(encoded), as: UTF8.self)
    }

    /// Joins adjacent `=?UTF-8?B?...?=` words (the space between them does not count).
    static func decodeEncodedWords(_ value: String) -> String {
        let words = value.split(separator: " ")
        guard !words.isEmpty, words.allSatisfy({ $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") }) else {
            return value
        }
        var bytes = Data()
        for word in words {
            bytes += Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))!
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Writes an executable shell script into `directory` and returns its path.
func script(_ body: String, named name: String, in directory: URL) throws -> String {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try Data("#!/bin/sh\n\(body)\n".utf8).write(to: url)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    return url.path
}

func sampleMessage(id: Int64 = 42, subject: String = "Zmiana kontaktu — potwierdź", body: String = "Dzień dobry,\nkod: ABC-123\n") throws -> MailMessage {
    try formatter.message(
        outboxID: id, createdAt: now, to: "pl100001-ovh@example.com", language: .pl, subject: subject, bodyText: body)
}
