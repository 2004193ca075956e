import ContactsDomain
import Foundation
import HTTPCore
import Localization

/// One request on its way through the application: the parsed parts of the request, the
/// visitor, the chosen language, and what the response must carry whatever the handler returns.
final class RequestContext {
    let request: HTTPRequest
    /// Decoded path, always starting with `/`.
    let path: String
    let query: FormData
    let cookies: RequestCookies
    let now: Date
    var visitor: Visitor
    var language: Language
    var csrfToken: String
    /// The `:id` of the matched route, if it has one.
    var pathID: Int64?
    /// Cookies to set on whatever response goes out.
    var cookiesToSet: [SetCookie] = []

    init(request: HTTPRequest, path: String, query: FormData, cookies: RequestCookies, now: Date, visitor: Visitor, language: Language, csrfToken: String) {
        self.request = request
        self.path = path
        self.query = query
        self.cookies = cookies
        self.now = now
        self.visitor = visitor
        self.language = language
        self.csrfToken = csrfToken
    }

    /// The path and query as the browser asked for them, for "come back here" links.
    var pathWithQuery: String {
        request.rawQuery.isEmpty ? request.rawPath : "\(request.rawPath)?\(request.rawQuery)"
    }

    /// The urlencoded body of a form POST.
    func form() throws(WebError) -> FormData {
        let contentType = request.header("content-type")?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else { throw .badRequest }
        do {
            return try FormData(parsing: request.body)
        } catch {
            throw error.webError
        }
    }
}
