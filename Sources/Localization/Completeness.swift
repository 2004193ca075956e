import ContactsDomain

extension Catalog {
    /// Problems that make the catalog unfit to ship, one readable line each, in key order:
    /// - a key that is not a snake_case identifier (templates look keys up as `{{t.key}}`);
    /// - a key without source text, or without a translation in pl, pt or it (unless marked
    ///   `"shouldTranslate": false`), or with an empty one, or one whose state is not `translated`;
    /// - a translation whose placeholders (kinds and count, after positional reordering) differ
    ///   from the source's;
    /// - plural keys missing a category the language needs, holding one it never uses, or
    ///   plural in one language and not in another.
    ///
    /// Empty when the catalog is fine.
    public func completenessProblems() -> [String] {
        var problems: [String] = []
        for key in keys {
            let report = { (language: String?, problem: String) in
                problems.append(language.map { "\(key) [\($0)]: \(problem)" } ?? "\(key): \(problem)")
            }
            if !Self.isSnakeCaseIdentifier(key) {
                report(nil, "the key is not a snake_case identifier")
            }
            let translations = untranslatable.contains(key) ? [] : Language.allCases.map(\.rawValue).filter { $0 != sourceLanguage }

            guard let source = tables[sourceLanguage]?[key] else {
                report(sourceLanguage, "no source text")
                for language in translations where tables[language]?[key] == nil {
                    report(language, "missing translation")
                }
                continue
            }
            let expected = source.defaultForm.signature
            check(source, against: expected, source: nil, categories: PluralRules.sourceCategories(sourceLanguage: sourceLanguage)) {
                report(sourceLanguage, $0)
            }
            for language in translations {
                guard let message = tables[language]?[key] else {
                    report(language, "missing translation")
                    continue
                }
                let categories = Language(rawValue: language).map(PluralRules.categories(of:)) ?? []
                check(message, against: expected, source: source, categories: categories) { report(language, $0) }
            }
        }
        return problems
    }

    private func check(
        _ message: Message,
        against expected: [Int: PlaceholderKind],
        source: Message?,
        categories: [PluralCategory],
        report: (String) -> Void
    ) {
        let isTranslation = source != nil
        func checkUnit(_ unit: Message.Unit, _ place: String) {
            if unit.format.plain.isEmpty {
                report(place + "empty text")
            }
            if isTranslation, let state = unit.state, state != "translated" {
                report(place + "state is \"\(state)\", not \"translated\"")
            }
            if unit.format.signature != expected {
                report(place + "placeholders (\(FormatString.describe(unit.format.signature))) differ from the source's (\(FormatString.describe(expected)))")
            }
        }

        switch (message, source) {
        case (.single(let unit), nil), (.single(let unit), .single?):
            checkUnit(unit, "")
        case (.single, .plural?):
            report("not plural, but the source text is")
        case (.plural, .single?):
            report("plural, but the source text is not")
        case (.plural(let units), _):
            let missing = categories.filter { units[$0] == nil }
            if !missing.isEmpty {
                report("plural is missing \(missing.map(\.rawValue).joined(separator: ", "))")
            }
            let unused = units.keys.filter { !categories.contains($0) }.sorted()
            if !categories.isEmpty && !unused.isEmpty {
                report("plural has \(unused.map(\.rawValue).joined(separator: ", ")), which the language never uses")
            }
            for category in units.keys.sorted() {
                checkUnit(units[category]!, "plural \(category.rawValue): ")
            }
        }
    }

    static func isSnakeCaseIdentifier(_ key: String) -> Bool {
        guard let first = key.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else { return false }
        return key.utf8.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_")
        }
    }
}
