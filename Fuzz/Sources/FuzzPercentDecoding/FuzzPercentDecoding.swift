import FuzzSupport
import HTTPCore

/// `PercentDecoding.decode` against a byte-level model of what it must accept and which failure
/// it reports; `encode` then `decode` gives back any text without NUL.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPercentDecoding(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    for plusIsSpace in [false, true] {
        let expected = model(bytes, plusIsSpace: plusIsSpace)
        let actual: Result<String, PercentDecoding.Failure> = Result { () throws(PercentDecoding.Failure) in
            try PercentDecoding.decode(bytes, plusIsSpace: plusIsSpace)
        }
        require(actual == expected, "decode(plusIsSpace: \(plusIsSpace)) gave \(actual), expected \(expected)")

        // A slice that does not start at index 0 decodes the same (generic index handling).
        let padded = [UInt8(ascii: "x")] + bytes
        let sliced = Result { () throws(PercentDecoding.Failure) in
            try PercentDecoding.decode(padded[1...], plusIsSpace: plusIsSpace)
        }
        require(sliced == expected, "decoding a slice gave \(sliced), expected \(expected)")

        if case .success(let decoded) = actual {
            require(!decoded.utf8.contains(0), "decoded text holds a NUL")
            roundTrip(decoded)
        }
    }

    // Any text: encode → decode is the identity, NUL refused.
    let text = inputText(bytes)
    if text.utf8.contains(0) {
        let result = Result { () throws(PercentDecoding.Failure) in try PercentDecoding.decode(PercentDecoding.encode(text), plusIsSpace: true) }
        require(result == .failure(.nulByte), "an encoded NUL decoded as \(result)")
    } else {
        roundTrip(text)
    }
    return 0
}

private func roundTrip(_ text: String) {
    let encoded = PercentDecoding.encode(text)
    require(encoded.utf8.allSatisfy(isEncodedByte), "encode(\(text.debugDescription)) left \(encoded.debugDescription)")
    for plusIsSpace in [false, true] {
        let decoded = try? PercentDecoding.decode(encoded, plusIsSpace: plusIsSpace)
        require(decoded == text, "decode(encode(\(text.debugDescription))) gave \(String(describing: decoded?.debugDescription))")
    }
}

private func isEncodedByte(_ byte: UInt8) -> Bool {
    isASCIILetter(byte) || isASCIIDigit(byte) || "-._~%".utf8.contains(byte)
}

/// The rules, written plainly: a `%` needs two hex digits (checked left to right, so a broken
/// escape wins over anything found later), then no NUL, then valid UTF-8.
private func model(_ input: [UInt8], plusIsSpace: Bool) -> Result<String, PercentDecoding.Failure> {
    var output: [UInt8] = []
    var i = 0
    while i < input.count {
        if input[i] == UInt8(ascii: "%") {
            guard i + 2 < input.count, let high = hex(input[i + 1]), let low = hex(input[i + 2]) else {
                return .failure(.brokenEscape)
            }
            output.append(high * 16 + low)
            i += 3
        } else if plusIsSpace, input[i] == UInt8(ascii: "+") {
            output.append(0x20)
            i += 1
        } else {
            output.append(input[i])
            i += 1
        }
    }
    if output.contains(0) { return .failure(.nulByte) }
    guard let text = String(validating: output, as: UTF8.self) else { return .failure(.invalidUTF8) }
    return .success(text)
}

private func hex(_ byte: UInt8) -> UInt8? {
    if isASCIIDigit(byte) { return byte - 0x30 }
    if (0x61...0x66).contains(byte) { return byte - 0x61 + 10 }
    if (0x41...0x46).contains(byte) { return byte - 0x41 + 10 }
    return nil
}
