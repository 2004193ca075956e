import ContactsDomain

/// Which language a page is written in.
public enum LanguageNegotiation {
    /// At most this many bytes of an Accept-Language header are read; browsers send well under 200.
    public static let maximumHeaderBytes = 4096
    /// At most this many language ranges are kept from one header.
    public static let maximumRanges = 32

    /// SPEC order: an explicit choice (the switcher's cookie or parameter), then the signed-in
    /// account's preference, then the browser's Accept-Language, then the configured default.
    ///
    /// An explicit value counts only when it is exactly one of the product's language codes (any
    /// letter case, surrounding spaces ignored); anything else is ignored, never an error.
    /// From Accept-Language the highest-weighted range whose primary subtag is one of the
    /// product's languages wins (`pt-BR` matches `pt`); `*` stands for the default language, or
    /// the first language not refused with `q=0`; ranges with `q=0` are never chosen.
    public static func choose(
        explicit: String?,
        accountPreference: Language?,
        acceptLanguage: String?,
        defaultLanguage: Language
    ) -> Language {
        if let explicit, let language = language(code: explicit) {
            return language
        }
        if let accountPreference {
            return accountPreference
        }
        if let acceptLanguage, let language = bestMatch(acceptLanguage, defaultLanguage: defaultLanguage) {
            return language
        }
        return defaultLanguage
    }

    /// The language ranges of an Accept-Language header (RFC 9110 §12.5.4), lower-cased, most
    /// wanted first (equal weights keep their order). Ranges refused with `q=0` are kept, last,
    /// so a caller can tell "refused" from "not mentioned".
    ///
    /// Malformed elements (bad tags, a `q` that is not a valid qvalue, empty elements) are
    /// skipped. Work is bounded: only the first `maximumHeaderBytes` bytes (cut back to the last
    /// complete element) and the first `maximumRanges` valid ranges are considered.
    public static func parseAcceptLanguage(_ header: String) -> [(tag: String, quality: Double)] {
        var bytes = header.utf8.prefix(maximumHeaderBytes)
        if header.utf8.count > maximumHeaderBytes {
            if let lastComma = bytes.lastIndex(of: UInt8(ascii: ",")) {
                bytes = bytes[..<lastComma]
            } else {
                return []
            }
        }

        var ranges: [(tag: String, quality: Double, order: Int)] = []
        for element in bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true) {
            if ranges.count == maximumRanges { break }
            var parameters = element.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
            guard !parameters.isEmpty else { continue }
            let range = trimmed(parameters.removeFirst())
            guard let tag = languageRange(range) else { continue }
            var quality = 1.0
            var valid = true
            for parameter in parameters {
                let parameter = trimmed(parameter)
                if parameter.isEmpty { continue }
                guard parameter.count >= 2,
                      parameter.first! | 0x20 == UInt8(ascii: "q"),
                      parameter[parameter.index(after: parameter.startIndex)] == UInt8(ascii: "=")
                else {
                    continue // an extension parameter: not ours to interpret
                }
                guard let value = qualityValue(parameter.dropFirst(2)) else {
                    valid = false
                    break
                }
                quality = value
            }
            if valid {
                ranges.append((tag, quality, ranges.count))
            }
        }
        ranges.sort { $0.quality != $1.quality ? $0.quality > $1.quality : $0.order < $1.order }
        return ranges.map { ($0.tag, $0.quality) }
    }

    static func language(code: String) -> Language? {
        guard code.utf8.count <= 16 else { return nil }
        let bytes = trimmed(code.utf8[...])
        guard bytes.count == 2 else { return nil }
        return Language(rawValue: String(decoding: bytes.map { $0 | 0x20 }, as: UTF8.self))
    }

    private static func bestMatch(_ header: String, defaultLanguage: Language) -> Language? {
        let ranges = parseAcceptLanguage(header)
        let refused = Set(ranges.filter { $0.quality == 0 }.compactMap { Language(rawValue: primarySubtag($0.tag)) })
        for range in ranges where range.quality > 0 {
            if range.tag == "*" {
                if !refused.contains(defaultLanguage) { return defaultLanguage }
                if let other = Language.allCases.first(where: { !refused.contains($0) }) { return other }
                continue
            }
            if let language = Language(rawValue: primarySubtag(range.tag)) {
                return language
            }
        }
        return nil
    }

    private static func primarySubtag(_ tag: String) -> String {
        tag.split(separator: "-", maxSplits: 1).first.map(String.init) ?? tag
    }

    /// `*` or `1*8ALPHA *("-" 1*8alphanum)`, lower-cased; nil when malformed.
    private static func languageRange(_ bytes: Substring.UTF8View.SubSequence) -> String? {
        if bytes.elementsEqual("*".utf8) { return "*" }
        guard !bytes.isEmpty, bytes.count <= 64 else { return nil }
        var lowered: [UInt8] = []
        lowered.reserveCapacity(bytes.count)
        var subtagLength = 0
        var isFirstSubtag = true
        for byte in bytes {
            if byte == UInt8(ascii: "-") {
                guard subtagLength > 0 else { return nil }
                subtagLength = 0
                isFirstSubtag = false
                lowered.append(byte)
                continue
            }
            let letter = byte | 0x20
            let isLetter = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(letter)
            let isDigit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            guard isLetter || (isDigit && !isFirstSubtag) else { return nil }
            subtagLength += 1
            guard subtagLength <= 8 else { return nil }
            lowered.append(isLetter ? letter : byte)
        }
        guard subtagLength > 0 else { return nil }
        return String(decoding: lowered, as: UTF8.self)
    }

    /// RFC 9110 qvalue: `0[.ddd]` or `1[.000]`.
    private static func qualityValue(_ bytes: Substring.UTF8View.SubSequence) -> Double? {
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        let rest = bytes.dropFirst()
        if rest.isEmpty { return first == UInt8(ascii: "1") ? 1 : 0 }
        guard rest.first == UInt8(ascii: "."), rest.count <= 4 else { return nil }
        var thousandths = 0
        var scale = 100
        for byte in rest.dropFirst() {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            thousandths += Int(byte - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        if first == UInt8(ascii: "1") {
            return thousandths == 0 ? 1 : nil
        }
        return Double(thousandths) / 1000
    }

    private static func trimmed(_ bytes: Substring.UTF8View.SubSequence) -> Substring.UTF8View.SubSequence {
        let isSpace: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let start = bytes.firstIndex(where: { !isSpace($0) }) else { return bytes[bytes.endIndex...] }
        let end = bytes.lastIndex(where: { !isSpace($0) })!
        return bytes[start...end]
    }
}
