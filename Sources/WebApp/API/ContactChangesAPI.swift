import ContactsDomain
import ContactsStore
import Foundation
import HTTPCore

/// `/contactChanges`: the requests an account takes part in, and the actions of the request
/// page (accept and refuse with the emailed code, cancel, resend), through the same store
/// operations and with the same throttles.
extension Application {
    /// Bodies of `{"token": CODE}` and of the actions without members.
    static let apiSmallBodyLimit = 4 * 1024

    func listContactChangesAPI(_ context: APIContext) throws -> HTTPResponse {
        let account = try context.me()
        let values = try context.parameters(["state", "after", "limit"], catalog)
        var state: RequestState?
        if let value = values["state"] {
            guard let parsed = RequestState(taskState: value) else { throw APIProblem.badQuery("state", catalog, context.language) }
            state = parsed
        }
        var after: RequestListCursor?
        if let value = values["after"] {
            guard let cursor = RequestListCursor(token: value) else { throw APIProblem.badQuery("after", catalog, context.language) }
            after = cursor
        }
        let list = try database.requests(
            for: account.id, state: state, after: after, limit: try context.limit(values, catalog), now: context.now)
        return json(APIJSON.page(list.requests.map(APIJSON.contactChange), next: list.next?.token))
    }

    func contactChangeAPI(_ context: APIContext) throws -> HTTPResponse {
        _ = try context.parameters([], catalog)
        return json(JSONText.encode(APIJSON.contactChange(try visibleRequest(context))))
    }

    /// The services a request covers (one so far), keyset by service ID: `after` is the last
    /// service ID of the previous page.
    func contactChangeServicesAPI(_ context: APIContext) throws -> HTTPResponse {
        let values = try context.parameters(["after", "limit"], catalog)
        var after: Int64 = 0
        if let value = values["after"] {
            guard let parsed = Int64(value), parsed > 0, String(parsed) == value else {
                throw APIProblem.badQuery("after", catalog, context.language)
            }
            after = parsed
        }
        _ = try context.limit(values, catalog)
        let request = try visibleRequest(context)
        let items = request.serviceID > after ? [APIJSON.contactChangeService(request)] : []
        return json(APIJSON.page(items, next: nil))
    }

    func decideContactChangeAPI(_ context: APIContext, accept: Bool) throws -> HTTPResponse {
        let account = try context.me()
        let id = try context.id()
        _ = try context.parameters([], catalog)
        let body = try jsonBody(context, limit: Self.apiSmallBodyLimit, ["token": (.string, true)])
        // As the request page takes it: surrounding spaces are no part of the code.
        let code = (body.string("token") ?? "").trimmingCharacters(in: .whitespaces)
        guard !code.isEmpty, code.utf8.count <= 100 else {
            throw JSONBody.Failure.invalid([JSONBody.InvalidMember(pointer: "/token", reason: .notAccepted)])
        }
        let command: RequestCommand = accept ? .accept(by: account.id, code: code) : .refuse(by: account.id, code: code)
        return json(JSONText.encode(APIJSON.contactChange(try database.perform(command, on: id, now: context.now))))
    }

    func cancelContactChangeAPI(_ context: APIContext) throws -> HTTPResponse {
        let account = try context.me()
        let id = try context.id()
        try emptyBody(context)
        return json(JSONText.encode(APIJSON.contactChange(try database.perform(.cancel(by: account.id), on: id, now: context.now))))
    }

    func resendContactChangeAPI(_ context: APIContext) throws -> HTTPResponse {
        let account = try context.me()
        let id = try context.id()
        try emptyBody(context)
        try database.perform(.resend(by: account.id), on: id, now: context.now)
        return HTTPResponse(status: HTTPStatus(code: 204, reason: "No Content"))
    }

    /// An action that takes no members: no body, or a JSON object without members.
    private func emptyBody(_ context: APIContext) throws {
        _ = try context.parameters([], catalog)
        guard !context.request.body.isEmpty else { return }
        _ = try jsonBody(context, limit: Self.apiSmallBodyLimit, [:])
    }

    /// A request the account may see; any other is 404, as on the request page.
    private func visibleRequest(_ context: APIContext) throws -> RequestSnapshot {
        try database.request(try context.id(), for: try context.me().id, now: context.now)
    }
}
