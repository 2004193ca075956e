import ContactsDomain
import HTTPCore
import Localization
import TemplateRuntime

/// A cookie holding an explicit language choice made with the switcher.
enum LanguageCookie {
    static let name = "sc_lang"
    static let maxAge = 365 * 24 * 60 * 60
}

extension Application {
    func strings(_ context: RequestContext) -> Strings {
        Strings(catalog: catalog, language: context.language)
    }

    /// Renders a page's compiled template inside the common layout, into one byte buffer.
    func page<Content: PageView>(
        _ content: Content,
        titleKey: String,
        context: RequestContext,
        status: HTTPStatus = .ok
    ) -> HTTPResponse {
        let strings = strings(context)
        var writer = TemplateWriter(capacity: 64 * 1024)
        content.render(into: &writer, layout: layout(strings: strings, title: strings[titleKey], context: context))
        return HTTPResponse(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: writer.bytes)
    }

    func layout(strings: Strings, title: String, context: RequestContext) -> LayoutView {
        let visitor = context.visitor
        let back = PercentDecoding.encode(context.pathWithQuery)
        return LayoutView(
            t: strings,
            lang: strings.language.tag,
            pageTitle: title,
            signedIn: visitor.isSignedIn,
            accountID: visitor.account?.id.rawValue,
            accountName: visitor.account?.displayName,
            csrf: context.csrfToken,
            navContacts: context.path == "/contacts",
            navRequests: context.path.hasPrefix("/requests"),
            navProfile: context.path == "/profile",
            languages: Language.allCases.map { language in
                LanguageLink(
                    code: language.tag,
                    name: strings.catalog.string("language_name_\(language.rawValue)", language),
                    url: "/language?set=\(language.rawValue)&back=\(back)",
                    current: language == strings.language)
            })
    }

    /// The one place a failure becomes a page: its status and a localized message.
    /// `nil` stands for an unexpected failure (500), whose details only go to the log.
    func errorResponse(_ error: WebError?, context: RequestContext?, request: HTTPRequest) -> HTTPResponse {
        let status = error?.status ?? .internalServerError
        let messageKey = error?.messageKey ?? "error_500"
        let parsed = context != nil
        let context = context ?? fallbackContext(for: request)
        var response = page(ErrorPageView(message: strings(context)[messageKey]), titleKey: "error_title", context: context, status: status)
        if case .methodNotAllowed(let allowed) = error {
            response.headers.append(("Allow", allowed.joined(separator: ", ")))
        }
        if error == .serviceUnavailable {
            response.headers.append(("Retry-After", "5"))
        }
        if !parsed {
            // A request too broken for a context never reaches `finish`: the headers every page carries.
            response.headers.append(("Content-Language", context.language.tag))
            response.headers.append(("Vary", "Accept-Language, Cookie"))
            response.headers.append(("Cache-Control", "no-store"))
        }
        return response
    }

    /// For requests too broken to parse: an anonymous visitor, language from the headers alone.
    private func fallbackContext(for request: HTTPRequest) -> RequestContext {
        let visitor = Visitor(secret: "", secretIsNew: false, account: nil)
        let language = LanguageNegotiation.choose(
            explicit: RequestCookies(header: request.header("cookie"))[LanguageCookie.name],
            accountPreference: nil,
            acceptLanguage: request.header("accept-language"),
            defaultLanguage: configuration.defaultLanguage
        )
        return RequestContext(
            request: request, path: "/", query: FormData(), cookies: RequestCookies(header: nil), now: clock(),
            visitor: visitor, language: language, csrfToken: ""
        )
    }
}
