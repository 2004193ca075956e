import Foundation

/// One delivered `.eml` file, read the way a mail client would: headers unfolded, RFC 2047
/// encoded-words decoded, the quoted-printable body decoded as UTF-8.
struct DeliveredEmail: CustomStringConvertible {
    let fileName: String
    /// The file as written, byte for byte.
    let raw: [UInt8]
    /// Header fields in order, unfolded but not decoded.
    let rawHeaders: [(name: String, value: String)]
    /// The body as written (still quoted-printable).
    let rawBody: String

    init(fileName: String, raw: [UInt8]) throws {
        self.fileName = fileName
        self.raw = raw
        guard let end = raw.firstRange(of: [13, 10, 13, 10]) else {
            throw EndToEndError("\(fileName): no empty line (CRLF CRLF) between header and body")
        }
        let headerText = String(decoding: raw[..<end.lowerBound], as: UTF8.self)
        // Unfolding (RFC 5322 §2.2.3): a CRLF followed by white space is removed.
        let unfolded = headerText.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: "\t")
        var headers: [(String, String)] = []
        for line in unfolded.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { throw EndToEndError("\(fileName): header line without a colon: \(line)") }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        rawHeaders = headers
        rawBody = String(decoding: raw[end.upperBound...], as: UTF8.self)
    }

    func rawHeader(_ name: String) -> String? {
        rawHeaders.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// A header's value with its encoded-words decoded.
    func header(_ name: String) -> String? {
        rawHeader(name).map(MailDecoding.decodeEncodedWords)
    }

    var subject: String { header("Subject") ?? "" }
    var to: String { header("To") ?? "" }
    var contentLanguage: String { header("Content-Language") ?? "" }

    /// The decoded body, with CRLF turned into "\n".
    var body: String {
        let isQuotedPrintable = rawHeader("Content-Transfer-Encoding")?.lowercased() == "quoted-printable"
        let bytes = isQuotedPrintable ? MailDecoding.decodeQuotedPrintable(rawBody) : Array(rawBody.utf8)
        return String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// What is wrong with the file's form, if anything: bare LF or CR, lines too long, a body
    /// that is not 7-bit, missing headers.
    var formProblems: [String] {
        var problems: [String] = []
        for (index, byte) in raw.enumerated() {
            if byte == 10, index == 0 || raw[index - 1] != 13 { problems.append("bare LF at byte \(index)"); break }
            if byte == 13, index + 1 >= raw.count || raw[index + 1] != 10 { problems.append("bare CR at byte \(index)"); break }
        }
        let text = String(decoding: raw, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        if let long = lines.first(where: { $0.utf8.count > 998 }) { problems.append("line over 998 octets: \(long.prefix(40))") }
        if let nonASCII = raw.firstIndex(where: { $0 >= 0x80 }) { problems.append("8-bit byte at \(nonASCII)") }
        for line in rawBody.components(separatedBy: "\r\n") where line.utf8.count > 76 {
            problems.append("quoted-printable line over 76 characters: \(line.prefix(40))")
        }
        for name in ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"]
        where rawHeader(name) == nil {
            problems.append("no \(name) header")
        }
        if rawHeader("Content-Type")?.lowercased().contains("charset=utf-8") != true { problems.append("Content-Type is not UTF-8 text") }
        return problems
    }

    /// Every `http(s)://...` link of the body.
    var links: [String] {
        body.split(whereSeparator: { $0.isWhitespace }).map(String.init)
            .filter { $0.hasPrefix("http://") || $0.hasPrefix("https://") }
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ".,;:)>\"'")) }
    }

    var description: String { "\(fileName) to \(to): \(subject)" }
}

enum MailDecoding {
    /// Decodes RFC 2047 encoded-words (`=?charset?B|Q?text?=`); white space between two adjacent
    /// encoded-words is dropped, as RFC 2047 §6.2 says.
    static func decodeEncodedWords(_ value: String) -> String {
        guard let expression = try? NSRegularExpression(pattern: #"=\?([^?]+)\?([BbQq])\?([^?]*)\?="#) else { return value }
        let nsValue = value as NSString
        var output = ""
        var cursor = 0
        var previousWasWord = false
        for match in expression.matches(in: value, range: NSRange(location: 0, length: nsValue.length)) {
            let between = nsValue.substring(with: NSRange(location: cursor, length: match.range.location - cursor))
            if !(previousWasWord && between.allSatisfy(\.isWhitespace)) { output += between }
            let encoding = nsValue.substring(with: match.range(at: 2)).uppercased()
            let text = nsValue.substring(with: match.range(at: 3))
            let bytes: [UInt8]
            if encoding == "B" {
                bytes = Data(base64Encoded: text).map(Array.init) ?? Array(nsValue.substring(with: match.range).utf8)
            } else {
                bytes = decodeQuotedPrintable(text.replacingOccurrences(of: "_", with: " "))
            }
            output += String(decoding: bytes, as: UTF8.self)
            cursor = match.range.location + match.range.length
            previousWasWord = true
        }
        output += nsValue.substring(from: cursor)
        return output
    }

    /// Quoted-printable (RFC 2045 §6.7): `=XX` escapes and `=` soft line breaks.
    static func decodeQuotedPrintable(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: byte - 48
            case 65...70: byte - 55
            case 97...102: byte - 87
            default: nil
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "=") {
                if index + 2 < bytes.count, bytes[index + 1] == 13, bytes[index + 2] == 10 { index += 3; continue }
                if index + 1 < bytes.count, bytes[index + 1] == 10 { index += 2; continue }
                if index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
                    output.append(high << 4 | low)
                    index += 3
                    continue
                }
            }
            output.append(byte)
            index += 1
        }
        return output
    }
}

/// The folder `contacts-admin deliver-mail --directory` writes into, read one delivery at a time.
final class Mailbox {
    let directory: URL
    let databaseLocation: String
    private var seen: Set<String> = []

    init(server: EndToEndServer, name: String = "mail") {
        directory = server.directory.appendingPathComponent(name)
        databaseLocation = server.databaseLocation
    }

    /// Runs `contacts-admin deliver-mail` once and returns the messages it wrote, by file name.
    func deliver() throws -> [DeliveredEmail] {
        try runTool(try EndToEndPaths.binary("contacts-admin"),
                    ["deliver-mail", "--database", databaseLocation, "--directory", directory.path],
                    in: directory.deletingLastPathComponent())
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".eml") && !seen.contains($0) }.sorted()
        seen.formUnion(names)
        return try names.map { name in
            try DeliveredEmail(fileName: name, raw: Array(try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }
}
