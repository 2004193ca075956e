import Foundation

/// How the contacts table's text filter turns what a customer typed into a GLOB pattern over
/// `service_membership.search_text`.
enum SearchFolding {
    /// The capitals that migration "v4" folds in `search_text`, besides ASCII ones (lower()).
    /// Keep in step with that migration: a later migration that folds more letters adds them here.
    static let foldedCapitals: [Character: Character] = [
        "À": "à", "Á": "á", "Â": "â", "Ã": "ã", "Ä": "ä", "Ç": "ç", "È": "è",
        "É": "é", "Ê": "ê", "Ë": "ë", "Ì": "ì", "Í": "í", "Î": "î", "Ï": "ï",
        "Ñ": "ñ", "Ò": "ò", "Ó": "ó", "Ô": "ô", "Õ": "õ", "Ö": "ö", "Ù": "ù",
        "Ú": "ú", "Û": "û", "Ü": "ü", "Ą": "ą", "Ć": "ć", "Ę": "ę", "Ł": "ł",
        "Ń": "ń", "Ś": "ś", "Ź": "ź", "Ż": "ż",
    ]

    /// A GLOB pattern matching `text` anywhere in `search_text`, ignoring case.
    ///
    /// Letters the store folds (ASCII, and ``foldedCapitals``) are folded the same way here and
    /// stay literal, which keeps the pattern cheap. Any other letter with two cases becomes a
    /// class of both (`[σΣ]`). GLOB's own wildcards in the text are bracketed, so they are
    /// literal; `%` and `_` mean nothing to GLOB. Control characters (the field separator among
    /// them) become spaces, so a match never spans two fields.
    static func globPattern(containing text: String) -> String {
        var pattern = "*"
        for character in text.precomposedStringWithCanonicalMapping {
            if let ascii = character.asciiValue {
                switch ascii {
                case UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "["): pattern += "[\(character)]"
                case 0..<0x20, 0x7F: pattern += " "
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): pattern.append(Character(Unicode.Scalar(ascii + 32)))
                default: pattern.append(character)
                }
            } else if let lower = foldedCapitals[character] {
                pattern.append(lower)
            } else if foldedCapitals.values.contains(character) {
                pattern.append(character)
            } else if character.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                pattern += " "
            } else {
                let lower = String(character).lowercased()
                let upper = String(character).uppercased()
                if lower != upper, lower.unicodeScalars.count == 1, upper.unicodeScalars.count == 1 {
                    pattern += "[\(lower)\(upper)]"
                } else {
                    pattern.append(character)
                }
            }
        }
        return pattern + "*"
    }
}
