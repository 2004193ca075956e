import FuzzSupport
import HTTPCore

/// `RequestCookies(header:)`: only RFC 6265 cookie-octets are ever kept as values, names are
/// trimmed and non-empty, the first of several cookies with one name wins, an oversized header
/// yields nothing — checked against a byte-level model for ASCII headers.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCookies(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let header = inputText(bytes)
    let cookies = RequestCookies(header: header)

    if header.utf8.count > RequestCookies.maximumHeaderBytes {
        require(cookies.values.isEmpty, "an oversized header gave \(cookies.values.count) cookies")
    }
    for (name, value) in cookies.values {
        require(!name.isEmpty, "an empty name")
        require(name.utf8.first.map(isASCIISpace) == false && name.utf8.last.map(isASCIISpace) == false,
                "untrimmed name \(name.debugDescription)")
        require(value.utf8.allSatisfy(isCookieOctet), "value \(value.debugDescription) of \(name.debugDescription)")
        require(cookies[name] == value, "subscript disagrees for \(name.debugDescription)")
    }

    // The header always comes as text; for ASCII (what browsers send) the result is exactly the model's.
    if bytes.allSatisfy({ $0 < 0x80 }) {
        let expected = model(bytes)
        require(cookies.values == expected, "got \(cookies.values), expected \(expected)")
    }
    return 0
}

private func isCookieOctet(_ byte: UInt8) -> Bool {
    (0x21...0x7E).contains(byte) && !"\";,\\".utf8.contains(byte)
}

private func model(_ bytes: [UInt8]) -> [String: String] {
    guard bytes.count <= RequestCookies.maximumHeaderBytes else { return [:] }
    var values: [String: String] = [:]
    for part in bytes.split(separator: UInt8(ascii: ";")) {
        guard let equals = part.firstIndex(of: UInt8(ascii: "=")) else { continue }
        let name = trimming(part[..<equals], where: isASCIISpace)
        var value = trimming(part[part.index(after: equals)...], where: isASCIISpace)
        if value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") {
            value = value.dropFirst().dropLast()
        }
        let nameText = String(decoding: name, as: UTF8.self)
        guard !name.isEmpty, values[nameText] == nil, value.allSatisfy(isCookieOctet) else { continue }
        values[nameText] = String(decoding: value, as: UTF8.self)
    }
    return values
}
