import Foundation

/// Reads the JSON of an Apple String Catalog into parsed messages, reporting the first
/// malformed entry with its file, key and language.
///
/// Supported: `stringUnit` values and `variations.plural`, which is what this product's
/// catalog uses. Other variations (`device`, `width`) and `substitutions` are refused rather
/// than silently ignored.
struct CatalogDecoder {
    let file: String?

    struct Decoded {
        var sourceLanguage: String
        var keys: [String]
        var tables: [String: [String: Message]]
        var untranslatable: Set<String>
    }

    func decode(_ json: [UInt8]) throws(CatalogError) -> Decoded {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(json), options: [])
        } catch {
            throw failure("is not valid JSON (\(error.localizedDescription))")
        }
        guard let document = root as? [String: Any] else {
            throw failure("the top level must be a JSON object")
        }
        guard let sourceLanguage = document["sourceLanguage"] as? String, !sourceLanguage.isEmpty else {
            throw failure("\"sourceLanguage\" must be a language code such as \"en\"")
        }
        if let version = document["version"], !(version is String) {
            throw failure("\"version\" must be a string such as \"1.0\"")
        }
        guard let strings = document["strings"] as? [String: Any] else {
            throw failure("\"strings\" must be an object of keys")
        }

        var tables: [String: [String: Message]] = [:]
        var untranslatable: Set<String> = []
        for key in strings.keys.sorted() {
            guard let entry = strings[key] as? [String: Any] else {
                throw failure("the entry must be an object", key: key)
            }
            if let shouldTranslate = entry["shouldTranslate"] {
                guard let flag = shouldTranslate as? Bool else {
                    throw failure("\"shouldTranslate\" must be true or false", key: key)
                }
                if !flag { untranslatable.insert(key) }
            }
            guard let localizations = entry["localizations"] else { continue }
            guard let byLanguage = localizations as? [String: Any] else {
                throw failure("\"localizations\" must be an object of languages", key: key)
            }
            for (language, localization) in byLanguage.sorted(by: { $0.key < $1.key }) {
                tables[language, default: [:]][key] = try message(localization, key: key, language: language)
            }
        }
        return Decoded(sourceLanguage: sourceLanguage, keys: Array(strings.keys), tables: tables, untranslatable: untranslatable)
    }

    private func message(_ value: Any, key: String, language: String) throws(CatalogError) -> Message {
        guard let localization = value as? [String: Any] else {
            throw failure("the localization must be an object", key: key, language: language)
        }
        if localization["substitutions"] != nil {
            throw failure("\"substitutions\" are not supported; use one plural variation per key", key: key, language: language)
        }
        switch (localization["stringUnit"], localization["variations"]) {
        case (let unit?, nil):
            return .single(try self.unit(unit, key: key, language: language, category: nil))
        case (nil, let variations?):
            guard let variations = variations as? [String: Any] else {
                throw failure("\"variations\" must be an object", key: key, language: language)
            }
            if let other = variations.keys.sorted().first(where: { $0 != "plural" }) {
                throw failure("\"\(other)\" variations are not supported, only \"plural\"", key: key, language: language)
            }
            guard let plural = variations["plural"] as? [String: Any], !plural.isEmpty else {
                throw failure("\"variations.plural\" must be an object of plural categories", key: key, language: language)
            }
            var units: [PluralCategory: Message.Unit] = [:]
            for (name, variant) in plural.sorted(by: { $0.key < $1.key }) {
                guard let category = PluralCategory(rawValue: name) else {
                    throw failure("\"\(name)\" is not a plural category (zero, one, two, few, many, other)", key: key, language: language)
                }
                guard let variant = variant as? [String: Any], let unit = variant["stringUnit"] else {
                    throw failure("plural category \"\(name)\" must hold a \"stringUnit\"", key: key, language: language)
                }
                units[category] = try self.unit(unit, key: key, language: language, category: category)
            }
            return .plural(units)
        case (nil, nil):
            throw failure("the localization has neither \"stringUnit\" nor \"variations\"", key: key, language: language)
        case (_?, _?):
            throw failure("the localization has both \"stringUnit\" and \"variations\"", key: key, language: language)
        }
    }

    private func unit(_ value: Any, key: String, language: String, category: PluralCategory?) throws(CatalogError) -> Message.Unit {
        let place = category.map { "plural category \"\($0.rawValue)\": " } ?? ""
        guard let unit = value as? [String: Any] else {
            throw failure(place + "\"stringUnit\" must be an object", key: key, language: language)
        }
        guard let text = unit["value"] as? String else {
            throw failure(place + "\"stringUnit\" needs a string \"value\"", key: key, language: language)
        }
        let state: String?
        switch unit["state"] {
        case nil: state = nil
        case let value as String: state = value
        default: throw failure(place + "\"state\" must be a string", key: key, language: language)
        }
        do {
            return Message.Unit(format: try FormatString(parsing: text), state: state)
        } catch {
            throw failure(place + "placeholder \"\(error.spec)\": \(error.reason)", key: key, language: language)
        }
    }

    private func failure(_ message: String, key: String? = nil, language: String? = nil) -> CatalogError {
        CatalogError(file: file, key: key, language: language, message: message)
    }
}
