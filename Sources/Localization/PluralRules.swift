import ContactsDomain

/// CLDR plural categories, named as in String Catalogs.
public enum PluralCategory: String, Sendable, CaseIterable, Comparable {
    case zero, one, two, few, many, other

    public static func < (lhs: PluralCategory, rhs: PluralCategory) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// CLDR cardinal plural rules for integers (operands `v = 0`, `e = 0`), for the product's languages.
///
/// Rules as in CLDR's plurals.xml:
/// - pl: one `i = 1`; few `i % 10 = 2..4 and i % 100 != 12..14`; many every other integer
///   (`other` is only for fractions).
/// - pt (pt-PT) and it: one `i = 1`; many `i != 0 and i % 1000000 = 0`; other the rest.
///   (Brazilian Portuguese would also put 0 in `one`; the product speaks European Portuguese.)
///
/// Negative numbers take the category of their absolute value, as CLDR's operand `n` does.
public enum PluralRules {
    public static func category(for count: Int, in language: Language) -> PluralCategory {
        let n = count.magnitude
        switch language {
        case .pl:
            if n == 1 { return .one }
            let lastDigit = n % 10
            let lastTwoDigits = n % 100
            if (2...4).contains(lastDigit) && !(12...14).contains(lastTwoDigits) { return .few }
            return .many
        case .pt, .it:
            if n == 1 { return .one }
            if n != 0 && n % 1_000_000 == 0 { return .many }
            return .other
        }
    }

    /// The categories a catalog must provide for `language`: every category CLDR defines for it,
    /// as String Catalogs list them (Polish keeps `other` for fractions even though integers never use it).
    public static func categories(of language: Language) -> [PluralCategory] {
        switch language {
        case .pl: [.one, .few, .many, .other]
        case .pt, .it: [.one, .many, .other]
        }
    }

    /// The source language's rules (English: one `i = 1 and v = 0`; other the rest).
    static func sourceCategory(for count: Int, sourceLanguage: String) -> PluralCategory {
        if let language = Language(rawValue: sourceLanguage) {
            return category(for: count, in: language)
        }
        return count.magnitude == 1 ? .one : .other
    }

    static func sourceCategories(sourceLanguage: String) -> [PluralCategory] {
        if let language = Language(rawValue: sourceLanguage) {
            return categories(of: language)
        }
        return [.one, .other]
    }
}
