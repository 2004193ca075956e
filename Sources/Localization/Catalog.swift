import ContactsDomain
import Foundation

/// The product's strings, read once at start from an Apple String Catalog (`.xcstrings`).
///
/// Lookups are two dictionary reads on values parsed at load time; a missing translation falls
/// back to the source language (English), then to the key itself, so a page never fails over a
/// string. `completenessProblems()` is what keeps such fallbacks from shipping.
///
/// Integers substituted into strings are written with the page language's digit grouping
/// (`LocalFormat.integer`), so "20 000 usług" and "20.000 servizi" read naturally.
public struct Catalog: Sendable {
    /// The catalog's `sourceLanguage`, normally `en`.
    public let sourceLanguage: String
    public let keys: [String]

    /// Language code → key → message, every language the file holds.
    let tables: [String: [String: Message]]
    /// Keys marked `"shouldTranslate": false`: they need only the source text.
    let untranslatable: Set<String>
    /// The product's languages, one field each so the hot path hashes only the key.
    private let polish: [String: Message]
    private let portuguese: [String: Message]
    private let italian: [String: Message]
    private let sourceTable: [String: Message]

    public init(contentsOf path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CatalogError(file: path, message: "cannot be read: \(error.localizedDescription)")
        }
        try self.init(json: [UInt8](data), file: path)
    }

    public init(json: [UInt8]) throws {
        try self.init(json: json, file: nil)
    }

    init(json: [UInt8], file: String?) throws {
        let parsed = try CatalogDecoder(file: file).decode(json)
        sourceLanguage = parsed.sourceLanguage
        keys = parsed.keys.sorted()
        tables = parsed.tables
        untranslatable = parsed.untranslatable
        sourceTable = parsed.tables[parsed.sourceLanguage] ?? [:]
        polish = parsed.tables[Language.pl.rawValue] ?? [:]
        portuguese = parsed.tables[Language.pt.rawValue] ?? [:]
        italian = parsed.tables[Language.it.rawValue] ?? [:]
    }

    private func table(_ language: Language) -> [String: Message] {
        switch language {
        case .pl: polish
        case .pt: portuguese
        case .it: italian
        }
    }

    /// The translation for `language`, falling back to the source language (en), then the key itself.
    public func string(_ key: String, _ language: Language) -> String {
        if let message = table(language)[key] ?? sourceTable[key] {
            return message.defaultForm.plain
        }
        return key
    }

    /// Substitutes arguments into `%@` / `%lld` / positional (`%2$@`) placeholders. A placeholder
    /// without a matching argument is left as written, which makes the mistake visible.
    public func string(_ key: String, _ language: Language, _ arguments: CatalogArgument...) -> String {
        if let message = table(language)[key] ?? sourceTable[key] {
            return message.defaultForm.render(arguments, language)
        }
        return key
    }

    /// Chooses the plural variant for `count` with `language`'s CLDR rules, then substitutes.
    /// The arguments are `count` followed by `arguments`: `count` is `%lld` (or `%1$lld`) and
    /// the further arguments are `%2$@`, `%3$lld`, ... A key without plural variants is
    /// substituted the same way.
    public func plural(_ key: String, count: Int, _ language: Language, _ arguments: CatalogArgument...) -> String {
        let all = [CatalogArgument.integer(count)] + arguments
        if let message = table(language)[key] {
            return message.form(for: PluralRules.category(for: count, in: language)).render(all, language)
        }
        if let message = sourceTable[key] {
            let category = PluralRules.sourceCategory(for: count, sourceLanguage: sourceLanguage)
            return message.form(for: category).render(all, language)
        }
        return key
    }
}

/// One key's value in one language.
enum Message: Sendable {
    case single(Unit)
    case plural([PluralCategory: Unit])

    struct Unit: Sendable {
        var format: FormatString
        /// The catalog's `state` (`translated`, `needs_review`, `new`, ...), when given.
        var state: String?
    }

    /// What a lookup without a count shows: the single value, or the plural's `other` form.
    var defaultForm: FormatString {
        form(for: .other)
    }

    func form(for category: PluralCategory) -> FormatString {
        switch self {
        case .single(let unit):
            return unit.format
        case .plural(let units):
            if let unit = units[category] ?? units[.other] { return unit.format }
            // Decoding guarantees at least one form.
            return units.min { $0.key < $1.key }!.value.format
        }
    }
}

/// Why a catalog could not be loaded: which file and key, and what is wrong.
public struct CatalogError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String?
    public var key: String?
    public var language: String?
    public var message: String

    public init(file: String? = nil, key: String? = nil, language: String? = nil, message: String) {
        self.file = file
        self.key = key
        self.language = language
        self.message = message
    }

    public var description: String {
        var location = file ?? "string catalog"
        if let key { location += ", key \"\(key)\"" }
        if let language { location += ", language \(language)" }
        return location + ": " + message
    }
}
