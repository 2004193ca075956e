/// Percent-decoding that refuses what a browser never sends: broken `%` escapes, invalid UTF-8
/// and NUL bytes. Callers turn the error into a 400 page.
public enum PercentDecoding {
    public enum Failure: Error, Equatable, Sendable {
        case brokenEscape
        case invalidUTF8
        case nulByte
    }

    /// Decodes a path or a query/form component. `plusIsSpace` is true for
    /// `application/x-www-form-urlencoded` data, false for paths.
    public static func decode<Bytes: Collection>(_ input: Bytes, plusIsSpace: Bool) throws(Failure) -> String
    where Bytes.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = input.startIndex
        while index != input.endIndex {
            let byte = input[index]
            switch byte {
            case UInt8(ascii: "%"):
                let high = input.index(after: index)
                guard high != input.endIndex else { throw .brokenEscape }
                let low = input.index(after: high)
                guard low != input.endIndex, let h = hexValue(input[high]), let l = hexValue(input[low]) else {
                    throw .brokenEscape
                }
                output.append(h << 4 | l)
                index = input.index(after: low)
            case UInt8(ascii: "+") where plusIsSpace:
                output.append(UInt8(ascii: " "))
                index = input.index(after: index)
            default:
                output.append(byte)
                index = input.index(after: index)
            }
        }
        if output.contains(0) { throw .nulByte }
        guard let text = String(validating: output, as: UTF8.self) else { throw .invalidUTF8 }
        return text
    }

    public static func decode(_ input: String, plusIsSpace: Bool) throws(Failure) -> String {
        try decode(Array(input.utf8), plusIsSpace: plusIsSpace)
    }

    /// Encodes a query or form component: everything but unreserved characters is escaped.
    public static func encode(_ input: String) -> String {
        var output = ""
        output.reserveCapacity(input.utf8.count)
        for byte in input.utf8 {
            if isUnreserved(byte) {
                output.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                output += "%"
                output.unicodeScalars.append(UnicodeScalar(hexDigits[Int(byte >> 4)]))
                output.unicodeScalars.append(UnicodeScalar(hexDigits[Int(byte & 0x0F)]))
            }
        }
        return output
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
