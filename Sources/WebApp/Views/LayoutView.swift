import TemplateRuntime

/// What `layout.mustache` reads around every page: title, language, the signed-in account,
/// navigation and the language switcher.
struct LayoutView: Sendable {
    static let template = "layout"
    let t: Strings
    let lang: String
    let pageTitle: String
    let signedIn: Bool
    let accountID: String?
    let accountName: String?
    let csrf: String
    let navContacts: Bool
    let navRequests: Bool
    let navProfile: Bool
    let languages: [LanguageLink]
}

/// One link of the language switcher.
struct LanguageLink: Sendable {
    let code: String
    let name: String
    let url: String
    let current: Bool
}

/// A page's own view model, written inside the layout by its compiled template.
protocol PageView: Sendable {
    func render(into out: inout TemplateWriter, layout: LayoutView)
}
