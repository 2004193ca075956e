import ContactsDomain
import ContactsStore
import Foundation
import HTTPCore
import Localization

/// One API call on its way to its handler: the request, its query, the token's account and
/// scope once the front door has checked them, and the language of the problem documents.
struct APIContext {
    let request: HTTPRequest
    let query: FormData
    let now: Date
    /// The `:id` of the matched route, if it has one.
    let pathID: Int64?
    /// The token's account; nil only for the operations that need no token.
    let account: Account?
    let language: Language

    /// The account of a route that needs a token (the front door never calls one without it).
    func me() throws -> Account {
        guard let account else { throw APIProblem.unauthorized(tokenGiven: false) }
        return account
    }

    func id() throws -> Int64 {
        guard let pathID else { throw APIProblem.notFound }
        return pathID
    }

    /// The query's parameters, each at most once and each one the operation takes; anything
    /// else is the caller's mistake (400), never silently ignored.
    func parameters(_ allowed: Set<String>, _ catalog: Catalog) throws -> [String: String] {
        var values: [String: String] = [:]
        for (name, value) in query.pairs {
            guard allowed.contains(name), values[name] == nil else { throw APIProblem.badQuery(name, catalog, language) }
            values[name] = value
        }
        return values
    }

    /// `limit`: 1 to 200, 50 when not given.
    func limit(_ values: [String: String], _ catalog: Catalog) throws -> Int {
        guard let text = values["limit"] else { return 50 }
        guard text.utf8.count <= 4, let limit = Int(text), (1...200).contains(limit), String(limit) == text else {
            throw APIProblem.badQuery("limit", catalog, language)
        }
        return limit
    }
}
