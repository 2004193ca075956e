import FuzzSupport
import HTTPCore

/// `FormData(parsing:)`, the parser of query strings and urlencoded bodies: its limits hold,
/// whatever it accepts comes back unchanged through `encoded`, and the first copy of a name wins.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormData(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let parsed = Result { () throws(FormData.Failure) in try FormData(parsing: bytes) }
    let expected = model(bytes)
    require(parsed == expected, "parsed \(parsed), expected \(expected)")

    // The String entry point (queries) agrees with the byte one (bodies) on valid UTF-8.
    if let text = String(validating: bytes, as: UTF8.self) {
        let fromText = Result { () throws(FormData.Failure) in try FormData(parsing: text) }
        require(fromText == parsed, "parsing text gave \(fromText), bytes gave \(parsed)")
    } else {
        _ = try? FormData(parsing: inputText(bytes))
    }

    guard case .success(let form) = parsed else { return 0 }
    require(form.pairs.count <= FormData.maximumPairs, "\(form.pairs.count) pairs kept")
    for pair in form.pairs {
        require(pair.name.utf8.count <= FormData.maximumFieldBytes, "a name of \(pair.name.utf8.count) bytes")
        require(pair.value.utf8.count <= FormData.maximumFieldBytes, "a value of \(pair.value.utf8.count) bytes")
        require(!pair.name.utf8.contains(0) && !pair.value.utf8.contains(0), "a NUL got through")
        require(form.value(pair.name) == form.values(pair.name).first, "value(_:) is not the first copy")
    }

    // What was accepted, encoded again, parses back to the same pairs in the same order.
    let encoded = form.encoded
    let again = Result { () throws(FormData.Failure) in try FormData(parsing: encoded) }
    require(again == .success(form), "re-parsing \(encoded.prefix(200).debugDescription)… gave \(again)")

    // `set` replaces every copy with one, at the end.
    if let first = form.pairs.first {
        var changed = form
        changed.set(first.name, "x")
        require(changed.values(first.name) == ["x"], "set left \(changed.values(first.name))")
        changed.set(first.name, nil)
        require(changed.value(first.name) == nil, "set(nil) left a value")
    }
    return 0
}

/// The parser's rules written plainly, over the same percent-decoding.
private func model(_ bytes: [UInt8]) -> Result<FormData, FormData.Failure> {
    var pairs: [(name: String, value: String)] = []
    var parts: [ArraySlice<UInt8>] = []
    var start = 0
    for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: "&") {
        if i > start { parts.append(bytes[start..<i]) }
        start = i + 1
    }
    for part in parts {
        if pairs.count == FormData.maximumPairs { return .failure(.tooManyFields) }
        if part.count > FormData.maximumFieldBytes * 3 + 1 { return .failure(.fieldTooLarge) }
        let equals = part.firstIndex(of: UInt8(ascii: "="))
        let rawName = equals.map { part[..<$0] } ?? part
        let rawValue = equals.map { part[part.index(after: $0)...] } ?? []
        guard let name = try? PercentDecoding.decode(rawName, plusIsSpace: true),
              let value = try? PercentDecoding.decode(rawValue, plusIsSpace: true) else {
            return .failure(.badEncoding)
        }
        if name.utf8.count > FormData.maximumFieldBytes || value.utf8.count > FormData.maximumFieldBytes {
            return .failure(.fieldTooLarge)
        }
        pairs.append((name, value))
    }
    return .success(FormData(pairs: pairs))
}
