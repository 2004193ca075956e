import Foundation
import HTTPCore

/// `/demo/mailbox`: the `.eml` files the demo's mail delivery wrote, readable in the browser
/// with clickable links, so a person trying the demo can follow the emails of every account.
/// Off unless `AppConfiguration.demoMailboxDirectory` is set; never for production.
extension Application {
    static let demoMailboxLimit = 50

    func showDemoMailbox(_ context: RequestContext) throws -> HTTPResponse {
        guard let directory = configuration.demoMailboxDirectory else { throw WebError.notFound }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".eml") }
            .sorted(by: >)
            .prefix(Self.demoMailboxLimit)
        let messages: [MailView] = files.compactMap { file in
            guard let data = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(file)),
                  let message = DemoMailMessage(parsing: String(decoding: data, as: UTF8.self))
            else { return nil }
            return MailView(
                to: message.to,
                subject: message.subject,
                // The reader's way of writing a time, as on every other page.
                date: message.sentAt.map { dateTime($0, context) } ?? message.date,
                segments: message.bodySegments(linkPrefix: configuration.linkBase))
        }
        return page(MailboxPageView(messages: messages, hasMessages: !messages.isEmpty), titleKey: "mailbox_title", context: context)
    }
}

/// Just enough of RFC 5322 and MIME to read back what `Mailer` writes: unfolded headers,
/// RFC 2047 encoded words, quoted-printable or 8bit bodies.
struct DemoMailMessage {
    let to: String
    let subject: String
    let date: String
    let body: String

    /// The Date header as a moment (RFC 5322: "Tue, 01 Dec 2026 23:18:04 +0000").
    var sentAt: Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.date(from: date)
    }

    init?(parsing text: String) {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        guard let split = normalized.range(of: "\n\n") else { return nil }
        var headers: [String: String] = [:]
        var lastName: String?
        for line in normalized[..<split.lowerBound].split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first == " " || first == "\t", let name = lastName {
                headers[name, default: ""] += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                lastName = name
            }
        }
        let rawBody = String(normalized[split.upperBound...])
        to = headers["to"] ?? ""
        subject = Self.decodeEncodedWords(headers["subject"] ?? "")
        date = headers["date"] ?? ""
        body = headers["content-transfer-encoding"]?.lowercased() == "quoted-printable"
            ? Self.decodeQuotedPrintable(rawBody) : rawBody
    }

    /// The body as text and link pieces, for the template to render links without raw HTML.
    func bodySegments(linkPrefix: String) -> [MailSegment] {
        var segments: [MailSegment] = []
        var rest = body[...]
        while let start = rest.range(of: linkPrefix) {
            segments.append(MailSegment(text: String(rest[..<start.lowerBound])))
            let end = rest[start.lowerBound...].firstIndex { $0.isWhitespace } ?? rest.endIndex
            segments.append(MailSegment(url: String(rest[start.lowerBound..<end])))
            rest = rest[end...]
        }
        segments.append(MailSegment(text: String(rest)))
        return segments
    }

    static func decodeEncodedWords(_ value: String) -> String {
        var output = ""
        var rest = value[...]
        while let start = rest.range(of: "=?") {
            guard let end = rest[start.upperBound...].range(of: "?=") else { break }
            let parts = rest[start.upperBound..<end.lowerBound].split(separator: "?", maxSplits: 2)
            let between = rest[..<start.lowerBound]
            if !between.allSatisfy(\.isWhitespace) || output.isEmpty { output += between }
            if parts.count == 3, parts[1].uppercased() == "B", let data = Data(base64Encoded: String(parts[2])) {
                output += String(decoding: data, as: UTF8.self)
            } else if parts.count == 3, parts[1].uppercased() == "Q" {
                output += decodeQuotedPrintable(parts[2].replacingOccurrences(of: "_", with: " "))
            } else {
                output += rest[start.lowerBound..<end.upperBound]
            }
            rest = rest[end.upperBound...]
        }
        return output + rest
    }

    static func decodeQuotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(text.utf8)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "="), index + 1 < input.count, input[index + 1] == UInt8(ascii: "\n") {
                index += 2
            } else if byte == UInt8(ascii: "="), index + 2 < input.count,
                      let value = UInt8(String(decoding: input[index + 1...index + 2], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(byte)
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
