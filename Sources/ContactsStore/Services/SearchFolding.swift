import Foundation

/// How the contacts table's text filter turns what a customer typed into a pattern over
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

    /// One character of what a customer typed, as the search text holds it.
    enum Piece: Equatable {
        /// Itself (folded already where the store folds it).
        case literal(Character)
        /// A letter the store does not fold: either of its two cases.
        case eitherCase(lower: String, upper: String)
        /// A control character (the field separator among them): a space, so that a match
        /// never spans two fields.
        case space
    }

    /// `text` folded as the store folds `search_text`: letters the store folds (ASCII, and
    /// ``foldedCapitals``) are folded the same way here and stay literal, which keeps the
    /// pattern cheap; any other letter with two cases matches either.
    static func pieces(of text: String) -> [Piece] {
        text.precomposedStringWithCanonicalMapping.map { character in
            if let ascii = character.asciiValue {
                switch ascii {
                case 0..<0x20, 0x7F: return .space
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): return .literal(Character(Unicode.Scalar(ascii + 32)))
                default: return .literal(character)
                }
            }
            if let lower = foldedCapitals[character] { return .literal(lower) }
            if foldedCapitals.values.contains(character) { return .literal(character) }
            if character.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { return .space }
            let lower = String(character).lowercased()
            let upper = String(character).uppercased()
            if lower != upper, lower.unicodeScalars.count == 1, upper.unicodeScalars.count == 1 {
                return .eitherCase(lower: lower, upper: upper)
            }
            return .literal(character)
        }
    }

    /// A GLOB pattern (SQLite) matching `text` anywhere in `search_text`, ignoring case. GLOB's
    /// own wildcards in the text are bracketed, so they are literal; `%` and `_` mean nothing
    /// to GLOB.
    static func globPattern(containing text: String) -> String {
        var pattern = "*"
        for piece in pieces(of: text) {
            switch piece {
            case .literal(let character) where character == "*" || character == "?" || character == "[":
                pattern += "[\(character)]"
            case .literal(let character): pattern.append(character)
            case .eitherCase(let lower, let upper): pattern += "[\(lower)\(upper)]"
            case .space: pattern += " "
            }
        }
        return pattern + "*"
    }

    /// A regular expression (PostgreSQL's `~`) matching `text` anywhere in `search_text`,
    /// ignoring case. Every ASCII character other than a letter or digit is escaped, so the
    /// text is literal (a backslash before such a character means the character itself).
    static func regexPattern(containing text: String) -> String {
        var pattern = ""
        for piece in pieces(of: text) {
            switch piece {
            case .literal(let character):
                if let ascii = character.asciiValue, !(character.isLetter || character.isNumber), ascii != 0x20 {
                    pattern += "\\"
                }
                pattern.append(character)
            case .eitherCase(let lower, let upper): pattern += "[\(lower)\(upper)]"
            case .space: pattern += " "
            }
        }
        return pattern
    }
}
