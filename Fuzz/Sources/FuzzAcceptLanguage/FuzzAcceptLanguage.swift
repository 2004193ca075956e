import ContactsDomain
import FuzzSupport
import Localization

/// Accept-Language and the explicit language choice: the parsed ranges are well-formed, bounded
/// and ordered; the page language is one of the product's, chosen only for a reason the header
/// gives; a huge header costs no more than its first `maximumHeaderBytes`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAcceptLanguage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var bytes = inputBytes(data, size)
    let control = bytes.isEmpty ? 0 : bytes.removeFirst()
    let defaultLanguage = Language.allCases[Int(control) % Language.allCases.count]
    let header = inputText(bytes)

    let ranges = LanguageNegotiation.parseAcceptLanguage(header)
    checkRanges(ranges)
    checkChoice(header: header, ranges: ranges, defaultLanguage: defaultLanguage)
    checkExplicit(header, defaultLanguage: defaultLanguage)

    // One input in 32: the header followed by 256 KB more ranges must be cut, not read whole.
    if control & 0xF8 == 0xF8, !bytes.isEmpty {
        let huge = header + "," + filler
        let (hugeRanges, elapsed) = milliseconds { LanguageNegotiation.parseAcceptLanguage(huge) }
        checkRanges(hugeRanges)
        let head = Array(huge.utf8.prefix(LanguageNegotiation.maximumHeaderBytes))
        let cut = head[..<(head.lastIndex(of: UInt8(ascii: ",")) ?? 0)]
        let expected = LanguageNegotiation.parseAcceptLanguage(String(decoding: cut, as: UTF8.self))
        require(hugeRanges.elementsEqual(expected, by: ==), "a huge header parsed differently from its first 4 KB")
        require(elapsed < 1000, "parsing a 256 KB header took \(elapsed) ms")
        let (choice, chooseElapsed) = milliseconds {
            LanguageNegotiation.choose(explicit: huge, accountPreference: nil, acceptLanguage: huge, defaultLanguage: defaultLanguage)
        }
        require(Language.allCases.contains(choice), "not a product language")
        require(chooseElapsed < 1000, "choosing from a 256 KB header took \(chooseElapsed) ms")
    }
    return 0
}

/// Valid ranges, so that nothing but the size limit stops the parser reading them all.
private let filler = String(repeating: "zz-zz;q=0.5,", count: 1 << 18 / 12)

private func checkRanges(_ ranges: [(tag: String, quality: Double)]) {
    require(ranges.count <= LanguageNegotiation.maximumRanges, "\(ranges.count) ranges kept")
    for range in ranges {
        require(isLanguageRange(range.tag), "malformed tag \(range.tag.debugDescription)")
        require(range.quality >= 0 && range.quality <= 1, "quality \(range.quality)")
        require((range.quality * 1000).rounded() == range.quality * 1000, "quality \(range.quality) has more than 3 decimals")
    }
    require(zip(ranges, ranges.dropFirst()).allSatisfy { $0.quality >= $1.quality }, "not ordered by quality")
}

/// `*`, or 1–8 lower-case letters then `-` and 1–8 lower-case letters or digits, repeated.
private func isLanguageRange(_ tag: String) -> Bool {
    if tag == "*" { return true }
    let subtags = tag.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
    guard let first = subtags.first, tag.utf8.count <= 64 else { return false }
    let isLower: (UInt8) -> Bool = { (0x61...0x7A).contains($0) }
    return (1...8).contains(first.count) && first.allSatisfy(isLower)
        && subtags.dropFirst().allSatisfy { (1...8).contains($0.count) && $0.allSatisfy { isLower($0) || isASCIIDigit($0) } }
}

private func primary(_ tag: String) -> String {
    String(tag.split(separator: "-", maxSplits: 1).first ?? Substring(tag))
}

private func checkChoice(header: String, ranges: [(tag: String, quality: Double)], defaultLanguage: Language) {
    let chosen = LanguageNegotiation.choose(explicit: nil, accountPreference: nil, acceptLanguage: header, defaultLanguage: defaultLanguage)
    require(Language.allCases.contains(chosen), "not a product language")
    let wanted = ranges.filter { $0.quality > 0 }
    let refused = Set(ranges.filter { $0.quality == 0 }.map { primary($0.tag) })
    if chosen != defaultLanguage {
        // Some accepted range names it, or it came from `*` and was not refused.
        let named = wanted.contains { primary($0.tag) == chosen.rawValue }
        let fromStar = wanted.contains { $0.tag == "*" } && !refused.contains(chosen.rawValue)
        require(named || fromStar, "chose \(chosen) for \(header.prefix(200).debugDescription)")
    }
    // A header naming a product language first, with nothing before it, always gets it.
    if let first = wanted.first, let language = Language(rawValue: primary(first.tag)) {
        require(chosen == language, "chose \(chosen), the header's first choice is \(language)")
    }
    // The account's preference beats any header, an explicit choice beats both.
    for preference in Language.allCases {
        let withAccount = LanguageNegotiation.choose(explicit: nil, accountPreference: preference, acceptLanguage: header, defaultLanguage: defaultLanguage)
        require(withAccount == preference, "the header overrode the account's language")
    }
}

/// The switcher's value counts only when it is a language code, in any case, between spaces.
private func checkExplicit(_ value: String, defaultLanguage: Language) {
    let other = Language.allCases.first { $0 != defaultLanguage }!
    let chosen = LanguageNegotiation.choose(explicit: value, accountPreference: other, acceptLanguage: nil, defaultLanguage: defaultLanguage)
    let code = String(decoding: trimming(value.utf8, where: isASCIISpace), as: UTF8.self).lowercased()
    if chosen != other {
        require(chosen.rawValue == code, "explicit \(value.debugDescription) chose \(chosen)")
    } else if let language = Language(rawValue: code), language != other, value.utf8.count <= 16 {
        require(false, "explicit \(value.debugDescription) was ignored")
    }
}
