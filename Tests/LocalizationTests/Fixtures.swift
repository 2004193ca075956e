import Foundation
import Localization

/// One language's value in an inline catalog fixture: a plain string, or plural forms by category.
enum FixtureValue: ExpressibleByStringLiteral {
    case text(String)
    case plural([String: String])

    init(stringLiteral value: String) {
        self = .text(value)
    }
}

/// Builds a String Catalog document from `key → language → value`, as Xcode would write it.
func catalogJSON(_ strings: [String: [String: FixtureValue]], sourceLanguage: String = "en") -> [UInt8] {
    func unit(_ value: String) -> [String: Any] {
        ["stringUnit": ["state": "translated", "value": value]]
    }
    var entries: [String: Any] = [:]
    for (key, localizations) in strings {
        var byLanguage: [String: Any] = [:]
        for (language, value) in localizations {
            switch value {
            case .text(let text):
                byLanguage[language] = unit(text)
            case .plural(let forms):
                byLanguage[language] = ["variations": ["plural": forms.mapValues(unit)]]
            }
        }
        entries[key] = ["extractionState": "manual", "localizations": byLanguage]
    }
    let document: [String: Any] = ["sourceLanguage": sourceLanguage, "version": "1.0", "strings": entries]
    return [UInt8](try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
}

func catalog(_ strings: [String: [String: FixtureValue]]) throws -> Catalog {
    try Catalog(json: catalogJSON(strings))
}

/// The package root, found from this file's location (Tests/LocalizationTests/Fixtures.swift).
func packageRoot() -> URL {
    URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
}
