import ContactsDomain
import FuzzSupport

/// `EmailAddress(parsing:)`: what it accepts can go into a mail header as is — printable ASCII
/// only (no CR, LF or other controls), one `@`, a bounded local part and a dotted domain — and
/// parses to itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEmailAddress(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = inputText(inputBytes(data, size))
    let parsed = Result { () throws(EmailAddressError) in try EmailAddress(parsing: input) }
    let expected = model(input)
    require(parsed.map(\.rawValue) == expected, "parsing \(input.debugDescription) gave \(parsed), expected \(expected)")

    if case .success(let address) = parsed {
        let bytes = Array(address.rawValue.utf8)
        require(bytes.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "\(address.rawValue.debugDescription) holds a control, space or non-ASCII byte")
        require(bytes.count <= EmailAddress.maximumLength, "too long")
        require(bytes.filter { $0 == UInt8(ascii: "@") }.count == 1, "not exactly one @")
        require((try? EmailAddress(parsing: address.rawValue)) == address, "does not parse to itself")
    }
    return 0
}

private let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
private let forbidden = Set("\"<>(),;:\\[] ".utf8)

private func model(_ input: String) -> Result<String, EmailAddressError> {
    let trimmed = Array(trimming(Array(input.utf8), where: whitespace.contains))
    if trimmed.isEmpty { return .failure(.empty) }
    if trimmed.count > EmailAddress.maximumLength { return .failure(.tooLong) }
    guard trimmed.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !forbidden.contains($0) }),
          let at = trimmed.firstIndex(of: UInt8(ascii: "@")), trimmed.lastIndex(of: UInt8(ascii: "@")) == at,
          (1...64).contains(at)
    else { return .failure(.malformed) }
    let domain = String(decoding: trimmed[(at + 1)...], as: UTF8.self)
    let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
    guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }) else {
        return .failure(.malformed)
    }
    return .success(String(decoding: trimmed, as: UTF8.self))
}
