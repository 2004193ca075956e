import ContactsDomain
import HTTPCore
import Localization
import Mustache

/// Catalog strings for one language, looked up by templates as `{{t.key}}`.
struct Strings: MustacheParent, Sendable {
    let catalog: Catalog
    let language: Language

    func child(named key: String) -> Any? {
        Text(catalog.string(key, language))
    }

    subscript(_ key: String) -> String { catalog.string(key, language) }
}

/// What every page's layout needs, plus the page's own view model.
///
/// Lookups are explicit switches rather than reflection: swift-mustache falls back to `Mirror`
/// for other values, which costs several times more per row. A class, so that the engine's copy
/// of it at every lookup is one retain rather than a copy of every field.
final class PageContext: MustacheParent {
    let strings: Strings
    let title: String
    let visitor: Visitor
    let csrfToken: String
    let currentPath: String
    let currentPathWithQuery: String
    let content: any MustacheParent

    init(
        strings: Strings, title: String, visitor: Visitor, csrfToken: String,
        currentPath: String, currentPathWithQuery: String, content: any MustacheParent
    ) {
        self.strings = strings
        self.title = title
        self.visitor = visitor
        self.csrfToken = csrfToken
        self.currentPath = currentPath
        self.currentPathWithQuery = currentPathWithQuery
        self.content = content
    }

    func child(named name: String) -> Any? {
        switch name {
        case "t": strings
        case "lang": Text(strings.language.tag)
        case "pageTitle": Text(title)
        case "signedIn": visitor.isSignedIn
        case "accountID": visitor.account.map { Text($0.id.rawValue) }
        case "accountName": visitor.account.map { Text($0.displayName) }
        case "csrf": Text(csrfToken)
        case "navContacts": currentPath == "/contacts"
        case "navProfile": currentPath == "/profile"
        case "navRequests": currentPath.hasPrefix("/requests")
        case "languages": languageLinks
        default: content.child(named: name)
        }
    }

    private var languageLinks: [LanguageLink] {
        Language.allCases.map { language in
            LanguageLink(
                code: language.tag,
                name: strings.catalog.string("language_name_\(language.rawValue)", language),
                url: "/language?set=\(language.rawValue)&back=\(PercentDecoding.encode(currentPathWithQuery))",
                current: language == strings.language
            )
        }
    }
}

/// The switcher's links for the pages still rendered by swift-mustache.
extension LanguageLink: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "code": Text(code)
        case "name": Text(name)
        case "url": Text(url)
        case "current": current
        default: nil
        }
    }
}
