import ContactsDomain
import FuzzSupport

/// `CustomerID(parsing:)` against the rule written plainly: ASCII white space trimmed, at most
/// 32 bytes, then `[a-z]{2}[0-9]+-ovh` in any letter case. What it accepts is always the
/// lower-case form and parses to itself; look-alike characters never become somebody's ID.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCustomerID(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = inputText(inputBytes(data, size))
    let parsed = Result { () throws(CustomerIDError) in try CustomerID(parsing: input) }
    let expected = model(input)
    require(parsed.map(\.rawValue) == expected, "parsing \(input.debugDescription) gave \(parsed), expected \(expected)")

    if case .success(let id) = parsed {
        require(isStoredForm(id.rawValue), "\(id.rawValue.debugDescription) is not the stored form")
        require(id.description == id.rawValue, "description differs")
        require((try? CustomerID(parsing: id.rawValue)) == id, "the stored form does not parse to itself")
        require((try? CustomerID(parsing: " \(id.rawValue.uppercased())\t\r\n")) == id, "upper case or spaces changed it")
        require(id == CustomerID(trusted: id.rawValue), "trusted differs")
    }
    return 0
}

private let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]

private func model(_ input: String) -> Result<String, CustomerIDError> {
    let trimmed = trimming(Array(input.utf8), where: whitespace.contains)
    if trimmed.isEmpty { return .failure(.empty) }
    if trimmed.count > CustomerID.maximumLength { return .failure(.tooLong) }
    // ASCII letters only: Unicode case mapping would turn the Kelvin sign into `k`.
    let lowered = String(decoding: trimmed.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
    return isStoredForm(lowered) ? .success(lowered) : .failure(.malformed)
}

/// `[a-z]{2}[0-9]+-ovh`
private func isStoredForm(_ value: String) -> Bool {
    let bytes = Array(value.utf8)
    guard bytes.count >= 7, bytes.count <= CustomerID.maximumLength, bytes.suffix(4).elementsEqual("-ovh".utf8) else { return false }
    let isLower: (UInt8) -> Bool = { (0x61...0x7A).contains($0) }
    return bytes[0..<2].allSatisfy(isLower) && bytes[2..<(bytes.count - 4)].allSatisfy(isASCIIDigit)
}
