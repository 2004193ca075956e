/// The one rule for text an operator types for people to read: account display names and
/// service names. They reach pages, mail subjects and greetings, so every entry point (the
/// store, contacts-admin) checks them here, and the Mailer's header check uses the same
/// ``isAllowed(_:)``: a name the store accepted can always be mailed.
///
/// Refused anywhere in the text: control characters (C0, C1, DEL), format characters (bidi
/// embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069, zero-width characters,
/// the byte order mark, soft hyphens), the line and paragraph separators U+2028 and U+2029,
/// private-use and unassigned code points. Such characters are invisible or reorder what is
/// shown, so a name with them can pass for another; none belongs in a name.
public enum DisplayText {
    public static let maximumDisplayNameLength = 200
    public static let maximumServiceNameLength = 255

    public enum Problem: Error, Equatable, Sendable {
        case empty
        /// More code points than allowed (counted as SQLite's `length()` does).
        case tooLong(maximum: Int)
        /// Begins or ends with white space.
        case surroundingSpace
        case forbiddenCharacter(Unicode.Scalar)
    }

    /// Checks `text` as it will be stored; nothing is trimmed or replaced.
    public static func check(_ text: String, maximumLength: Int) throws(Problem) {
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { throw .empty }
        if let bad = scalars.first(where: { !isAllowed($0) }) { throw .forbiddenCharacter(bad) }
        if first.properties.isWhitespace || last.properties.isWhitespace { throw .surroundingSpace }
        if scalars.count > maximumLength { throw .tooLong(maximum: maximumLength) }
    }

    public static func isValid(_ text: String, maximumLength: Int) -> Bool {
        (try? check(text, maximumLength: maximumLength)) != nil
    }

    /// Whether the scalar may appear in a name, and so in a one-line mail header.
    public static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
            false
        default:
            true
        }
    }
}

extension DisplayText.Problem: CustomStringConvertible {
    /// For the operator's messages (contacts-admin).
    public var description: String {
        switch self {
        case .empty: "it is empty"
        case .tooLong(let maximum): "it is longer than \(maximum) characters"
        case .surroundingSpace: "it begins or ends with a space"
        case .forbiddenCharacter(let scalar):
            "it contains U+\(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)), "
                + "an invisible, control, line-breaking or direction-changing character"
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
