/// Quoted-printable (RFC 2045 §6.7) for UTF-8 text bodies.
public enum QuotedPrintable {
    /// The longest encoded line, soft-break `=` included.
    public static let maximumLineLength = 76

    /// Encodes `text` as UTF-8 quoted-printable with CRLF line endings; every line, the last
    /// included, ends with CRLF (a final line break in `text` does not add an empty line). Line breaks in `text` (LF, CRLF or CR) become CRLF hard breaks;
    /// longer lines get soft breaks, never inside the bytes of one character. Besides what RFC
    /// 2045 requires, a `.` or the `F` of `From ` starting a line is encoded, so no relay or
    /// mailbox format can mistake the line for an end of data or a message separator.
    public static func encode(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        for line in lines(of: text) {
            encodeLine(Array(line.unicodeScalars), into: &output)
            output += "\r\n"
        }
        return output
    }

    /// Decodes quoted-printable `encoded` into the bytes it stands for, with CRLF hard breaks
    /// kept as they are. Malformed escapes are kept literally (RFC 2045's "robust" decoding).
    public static func decode(_ encoded: String) -> [UInt8] {
        let bytes = Array(encoded.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "=") else {
                output.append(byte)
                index += 1
                continue
            }
            if index + 2 < bytes.count, bytes[index + 1] == 0x0D, bytes[index + 2] == 0x0A {
                index += 3  // soft line break
            } else if index + 1 < bytes.count, bytes[index + 1] == 0x0A {
                index += 2  // soft line break with a bare LF
            } else if index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    /// The lines of `text`, split at LF, CRLF or a lone CR.
    static func lines(of text: String) -> [Substring] {
        var result: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        let scalars = text.unicodeScalars
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if scalar == "\r" || scalar == "\n" {
                result.append(text[start..<index])
                var next = scalars.index(after: index)
                if scalar == "\r", next < scalars.endIndex, scalars[next] == "\n" {
                    next = scalars.index(after: next)
                }
                start = next
                index = next
            } else {
                index = scalars.index(after: index)
            }
        }
        if start < text.endIndex || result.isEmpty {
            result.append(text[start..<text.endIndex])
        }
        return result
    }

    private static func encodeLine(_ scalars: [Unicode.Scalar], into output: inout String) {
        var column = 0
        for (position, scalar) in scalars.enumerated() {
            let isLast = position == scalars.count - 1
            let token = encoded(scalar, atLineStart: column == 0, isLast: isLast,
                                following: scalars[(position + 1)...])
            // Keep room for the soft break `=`, unless this token ends the line.
            let room = isLast ? maximumLineLength : maximumLineLength - 1
            if column + token.utf8.count > room {
                output += "=\r\n"
                column = 0
                // Re-encode: the start of a line has its own rules (`.` and `From `).
                let again = encoded(scalar, atLineStart: true, isLast: isLast, following: scalars[(position + 1)...])
                output += again
                column = again.utf8.count
            } else {
                output += token
                column += token.utf8.count
            }
        }
    }

    private static func encoded(
        _ scalar: Unicode.Scalar, atLineStart: Bool, isLast: Bool, following: ArraySlice<Unicode.Scalar>
    ) -> String {
        let value = scalar.value
        let literal: Bool
        switch value {
        case 0x20, 0x09:
            // Whitespace at the end of a line would be lost in transport.
            literal = !isLast
        case 0x3D:  // "="
            literal = false
        case 0x2E where atLineStart:  // "." alone on a line ends SMTP data
            literal = false
        case 0x46 where atLineStart && following.prefix(4).elementsEqual("rom ".unicodeScalars):
            literal = false  // "From " starts a new message in mbox files
        case 0x21...0x7E:
            literal = true
        default:
            literal = false
        }
        if literal { return String(Character(scalar)) }
        var token = ""
        for byte in String(Character(scalar)).utf8 {
            token += "=" + hexDigits[Int(byte >> 4)] + hexDigits[Int(byte & 0x0F)]
        }
        return token
    }

    private static let hexDigits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
