import ContactsDomain
import Localization

/// Catalog strings for one language, read by templates as `{{t.key}}`.
struct Strings: Sendable {
    let catalog: Catalog
    let language: Language

    subscript(_ key: String) -> String { catalog.string(key, language) }
}
