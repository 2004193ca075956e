import ContactsDomain
import Foundation

/// An RFC 5322 message ready for a transport: header fields (already encoded and folded) and a
/// quoted-printable body, with CRLF line endings throughout.
public struct MailMessage: Sendable, Equatable {
    /// One header field: `name: value`, the value already encoded and folded.
    public struct Header: Sendable, Equatable {
        public let name: String
        public let value: String
    }

    /// The outbox row this message delivers.
    public let outboxID: Int64
    /// The `Date` of the message.
    public let date: Date
    /// The `Message-ID`, angle brackets included; the same for every attempt of one outbox row.
    public let messageID: String
    public let headers: [Header]
    /// The quoted-printable body, CRLF line endings, ending with CRLF.
    public let body: String

    /// The value of the first header field called `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The whole message as sent: header fields, an empty line, the body.
    public var text: String {
        headers.map { "\($0.name): \($0.value)\r\n" }.joined() + "\r\n" + body
    }

    public var data: Data { Data(text.utf8) }
}

/// Why an outbox row cannot become a message. The description never quotes the offending value.
public enum MailFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A header value held CR, LF or another control character.
    case controlCharacter(header: String)
    /// An address was not a plain `name@domain` address.
    case invalidAddress(header: String)
    /// The Message-ID domain was not a dotted host name.
    case invalidMessageIDDomain

    public var description: String {
        switch self {
        case .controlCharacter(let header): "the \(header) header would contain a line break or control character"
        case .invalidAddress(let header): "the \(header) address is not a plain name@domain address"
        case .invalidMessageIDDomain: "the Message-ID domain is not a host name"
        }
    }
}

/// Turns an outbox row into a `MailMessage`: From, To, Subject (RFC 2047 encoded-words when not
/// plain ASCII), Date, a Message-ID derived from the row, MIME headers for UTF-8 quoted-printable
/// plain text, and `Auto-Submitted: auto-generated`.
///
/// Header injection is impossible by construction: every header value is checked for CR, LF and
/// other control characters, and addresses must parse as `EmailAddress`, before anything is
/// written; a bad value throws instead of being cleaned up.
public struct MessageFormatter: Sendable {
    public let from: EmailAddress
    /// Shown before the From address; encoded when not ASCII.
    public let fromName: String?
    /// The right-hand side of Message-IDs (by default the From address's domain).
    public let messageIDDomain: String

    /// Header lines are kept to this length where the content allows (RFC 5322 §2.1.1).
    static let preferredLineLength = 78

    public init(from: EmailAddress, fromName: String? = nil, messageIDDomain: String? = nil) throws(MailFormatError) {
        try Self.checkHeaderValue(from.rawValue, header: "From")
        guard (try? EmailAddress(parsing: from.rawValue))?.rawValue == from.rawValue else {
            throw .invalidAddress(header: "From")
        }
        if let fromName { try Self.checkHeaderValue(fromName, header: "From") }
        let domain = messageIDDomain ?? String(from.rawValue[from.rawValue.index(after: from.rawValue.lastIndex(of: "@")!)...])
        guard Self.isHostName(domain) else { throw .invalidMessageIDDomain }
        self.from = from
        self.fromName = fromName.flatMap { $0.isEmpty ? nil : $0 }
        self.messageIDDomain = domain.lowercased()
    }

    /// The message for outbox row `outboxID`, written at `createdAt` (which also dates it).
    public func message(
        outboxID: Int64, createdAt: Date, to toAddress: String, language: Language, subject: String, bodyText: String
    ) throws(MailFormatError) -> MailMessage {
        try Self.checkHeaderValue(toAddress, header: "To")
        try Self.checkHeaderValue(subject, header: "Subject")
        guard let to = try? EmailAddress(parsing: toAddress), to.rawValue == toAddress else {
            throw .invalidAddress(header: "To")
        }
        let messageID = Self.messageID(outboxID: outboxID, createdAt: createdAt, domain: messageIDDomain)
        let headers: [MailMessage.Header] = [
            .init(name: "From", value: fromField),
            .init(name: "To", value: to.rawValue),
            .init(name: "Subject", value: Self.unstructured(subject, fieldName: "Subject")),
            .init(name: "Date", value: Self.rfc5322Date(createdAt)),
            .init(name: "Message-ID", value: messageID),
            .init(name: "MIME-Version", value: "1.0"),
            .init(name: "Content-Type", value: "text/plain; charset=utf-8"),
            .init(name: "Content-Transfer-Encoding", value: "quoted-printable"),
            .init(name: "Content-Language", value: language.rawValue),
            .init(name: "Auto-Submitted", value: "auto-generated"),
        ]
        return MailMessage(
            outboxID: outboxID, date: createdAt, messageID: messageID, headers: headers,
            body: QuotedPrintable.encode(bodyText))
    }

    private var fromField: String {
        guard let fromName else { return from.rawValue }
        return "\(Self.phrase(fromName)) <\(from.rawValue)>"
    }

    // MARK: - Header values

    /// Refuses what ``DisplayText`` refuses in names (CR, LF, every other control character,
    /// the line and paragraph separators, format characters such as bidi controls): the same
    /// rule as the store's, so a name the store accepted never leaves its emails stuck here.
    static func checkHeaderValue(_ value: String, header: String) throws(MailFormatError) {
        if value.unicodeScalars.contains(where: { !DisplayText.isAllowed($0) }) {
            throw .controlCharacter(header: header)
        }
    }

    /// `Message-ID` of an outbox row: the row ID and its creation time (so that a database
    /// started afresh, whose row IDs begin at 1 again, does not repeat the IDs of earlier mail).
    static func messageID(outboxID: Int64, createdAt: Date, domain: String) -> String {
        let milliseconds = Int64((createdAt.timeIntervalSince1970 * 1000).rounded(.down))
        return "<outbox.\(outboxID).\(String(milliseconds, radix: 36))@\(domain)>"
    }

    /// An unstructured header value (RFC 5322 §3.2.5): plain ASCII as is, folded at spaces when
    /// long; anything else as RFC 2047 encoded-words (UTF-8, base64), one per folded line.
    static func unstructured(_ value: String, fieldName: String) -> String {
        let prefixLength = fieldName.utf8.count + 2
        if isPlainASCII(value) {
            return fold(value, prefixLength: prefixLength)
        }
        return encodedWords(value, prefixLength: prefixLength)
    }

    /// A display name: an atom sequence as is, other ASCII as a quoted string, else encoded-words.
    static func phrase(_ value: String) -> String {
        guard isPlainASCII(value) else { return encodedWords(value, prefixLength: "From: ".utf8.count) }
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ".unicodeScalars)
        if value.unicodeScalars.allSatisfy(atext.contains) && !value.hasPrefix(" ") && !value.hasSuffix(" ") {
            return value
        }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }

    /// Printable ASCII that no reader could take for an encoded-word.
    static func isPlainASCII(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) } && !value.contains("=?")
    }

    /// Folds `value` before spaces so lines stay within 78 characters where a space allows.
    static func fold(_ value: String, prefixLength: Int) -> String {
        var result = ""
        var lineLength = prefixLength
        let words = value.split(separator: " ", omittingEmptySubsequences: false)
        for (index, word) in words.enumerated() {
            if index == 0 {
                result += word
                lineLength += word.utf8.count
            } else if lineLength + 1 + word.utf8.count > preferredLineLength && lineLength > 1 && !word.isEmpty {
                result += "\r\n " + word
                lineLength = 1 + word.utf8.count
            } else {
                result += " " + word
                lineLength += 1 + word.utf8.count
            }
        }
        return result
    }

    /// RFC 2047 encoded-words, `=?UTF-8?B?...?=`, each on its own folded line, each at most 75
    /// characters and within 78 with its line's prefix, never splitting a character.
    static func encodedWords(_ value: String, prefixLength: Int) -> String {
        let overhead = "=?UTF-8?B??=".utf8.count
        var words: [String] = []
        var chunk: [UInt8] = []
        var available = min(75, preferredLineLength - prefixLength)
        func maxBytes(_ width: Int) -> Int { max((width - overhead) / 4 * 3, 3) }
        func flush() {
            words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
            chunk = []
            available = 75  // later lines: one space, then the word
        }
        for character in value {
            let bytes = Array(String(character).utf8)
            if !chunk.isEmpty && chunk.count + bytes.count > maxBytes(available) { flush() }
            if bytes.count > maxBytes(available) {
                // A character too long for one word (a long grapheme cluster): split it by scalar.
                for scalar in character.unicodeScalars {
                    let scalarBytes = Array(String(scalar).utf8)
                    if !chunk.isEmpty && chunk.count + scalarBytes.count > maxBytes(available) { flush() }
                    chunk += scalarBytes
                }
            } else {
                chunk += bytes
            }
        }
        if !chunk.isEmpty || words.isEmpty { flush() }
        return words.joined(separator: "\r\n ")
    }

    static func isHostName(_ value: String) -> Bool {
        let labels = value.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, value.utf8.count <= 253 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
        }
    }

    // MARK: - Dates

    private static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// RFC 5322 §3.3 date-time in UTC, e.g. `Sun, 15 Jun 2025 16:53:20 +0000`.
    public static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        func two(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : "\(value)"
        }
        return "\(dayNames[(parts.weekday ?? 1) - 1]), \(two(parts.day)) \(monthNames[(parts.month ?? 1) - 1]) "
            + "\(parts.year ?? 1970) \(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }
}
