import ContactsDomain
import ContactsStore
import Foundation
import HTTPCore

/// `GET /services` and `GET /services/{serviceId}`: the contacts table's query and the edit
/// page's read of one service.
extension Application {
    /// `sort` values and the contacts table's order each stands for.
    static let apiSorts: [String: (sort: ContactsSort, descending: Bool)] = [
        "name": (.name, false), "-name": (.name, true), "type": (.type, false), "-type": (.type, true),
    ]

    func listServicesAPI(_ context: APIContext) throws -> HTTPResponse {
        let account = try context.me()
        let values = try context.parameters(["contactType", "type", "q", "sort", "after", "limit"], catalog)
        func bad(_ name: String) -> APIProblem { .badQuery(name, catalog, context.language) }
        var query = ContactsQuery(limit: try context.limit(values, catalog))
        if let value = values["contactType"] {
            guard let role = Role(contactType: value) else { throw bad("contactType") }
            query.role = role
        }
        if let value = values["type"] {
            guard let type = ServiceType(rawValue: value) else { throw bad("type") }
            query.type = type
        }
        if let text = values["q"] {
            query.text = text.trimmingCharacters(in: .whitespaces)
            guard text.count <= ContactsView.maximumTextLength else { throw bad("q") }
        }
        if let value = values["sort"] {
            guard let sort = Self.apiSorts[value] else { throw bad("sort") }
            (query.sort, query.descending) = sort
        }
        if let value = values["after"] {
            guard let cursor = ContactsCursor(token: value) else { throw bad("after") }
            query.cursor = cursor
        }
        let page = try database.contactsPage(for: account.id, query: query)
        return json(APIJSON.page(page.rows.map(APIJSON.service), next: page.nextCursor?.token))
    }

    func serviceAPI(_ context: APIContext) throws -> HTTPResponse {
        let account = try context.me()
        _ = try context.parameters([], catalog)
        let state = try editState(serviceID: context.id(), account: account, now: context.now)
        return json(JSONText.encode(APIJSON.service(state, me: account.id)))
    }
}
