import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore
import Localization

/// `POST /contactChanges` and `POST /contactChanges/preview` over one service: the edit page's
/// submission (`checkChanges`, `createChanges`), with a selection of exactly one service ID. A
/// selection of several services or by filter is a bulk change, answered with the documented
/// `one-service-only` problem until bulk changes reach the API.
extension Application {
    /// A change body: up to 1,000 service IDs fit well under it.
    static let apiChangeBodyLimit = 64 * 1024

    /// What a change body asks for, once it reads right.
    struct APIChangeAsked {
        let serviceID: Int64
        /// In the order given, for the pointers of the answer (`/contactTypes/1`).
        let roles: [Role]
        /// Nil: the asker takes the roles back itself.
        let toAccount: CustomerID?
        let previewDigest: String?

        func wanted(by account: Account) -> [Role: CustomerID] {
            Dictionary(uniqueKeysWithValues: roles.map { ($0, toAccount ?? account.id) })
        }

        func pointer(of role: Role) -> String {
            "/contactTypes/\(roles.firstIndex(of: role) ?? 0)"
        }
    }

    func createContactChangeAPI(_ context: APIContext) throws -> HTTPResponse {
        let account = try context.me()
        let asked = try changeAsked(context, digestAllowed: true)
        let wanted = asked.wanted(by: account)
        let state = try editState(serviceID: asked.serviceID, account: account, wanted: Set(wanted.values), now: context.now)
        if let digest = asked.previewDigest {
            let preview = try changePreview(asked, account: account, state: state, context: context)
            guard digest == preview.digest else {
                throw APIProblem(slug: "preview-outdated", status: .conflict, detail: .key("api_error_preview_outdated"))
            }
        }
        // Every role or none, as on the edit page.
        if case .refused(let problems) = try checkChangesOrThrow(wanted, by: account, on: state, context: context) {
            throw changeRefused(problems, asked, context.language)
        }
        let ids: [Int64]
        do {
            ids = try createChanges(wanted, by: account, on: state, now: context.now)
        } catch let failure as CreationFailure {
            switch failure.reason {
            case .refused(let problems):
                throw changeRefused(problems, asked, context.language)
            case .tooManyRequests(let refusal):
                throw APIProblem(
                    slug: "too-many-requests", status: .tooManyRequests,
                    detail: .localized(tooManyRequestsMessage(refusal, failure.state, context.language)),
                    headers: [("Retry-After", String(max(1, Int(refusal.retryAfter.rounded(.up)))))])
            case .rulesChanged:
                throw APIProblem(slug: "rules-changed", status: .conflict, detail: .key("edit_error_rules_changed"))
            }
        }
        let items = try ids.map { APIJSON.contactChange(try database.request($0, for: account.id, now: context.now)) }
        return json(JSONText.object([("items", items)]), status: HTTPStatus(code: 201, reason: "Created"))
    }

    func previewContactChangeAPI(_ context: APIContext) throws -> HTTPResponse {
        let account = try context.me()
        let asked = try changeAsked(context, digestAllowed: false)
        let wanted = asked.wanted(by: account)
        let state = try editState(serviceID: asked.serviceID, account: account, wanted: Set(wanted.values), now: context.now)
        let preview = try changePreview(asked, account: account, state: state, context: context)
        return json(JSONText.encode(preview.value))
    }

    /// The plan of a change on one service: the requests it would create for the roles the rules
    /// allow, and the roles left out with the reason. An unknown new contact is no reason to
    /// leave a role out: the whole change is refused (422), as on the edit page.
    private func changePreview(
        _ asked: APIChangeAsked, account: Account, state: EditState, context: APIContext
    ) throws -> (value: [String: Any], digest: String) {
        let wanted = asked.wanted(by: account)
        var problems: [Role: ChangeRules.Problem] = [:]
        if case .refused(let found) = try checkChangesOrThrow(wanted, by: account, on: state, context: context) {
            problems = found
        }
        if problems.values.contains(.unknownAccount) {
            throw changeRefused(problems.filter { $0.value == .unknownAccount }, asked, context.language)
        }
        let allowed = wanted.filter { problems[$0.key] == nil }
        let planned = allowed.isEmpty ? [] : (try? ChangeRules.plan(requester: account.id, holders: state.holders, changes: allowed).get()) ?? []
        let requests: [[String: Any]] = planned.map { change in
            [
                "fromAccount": change.from.rawValue, "toAccount": change.to.rawValue,
                "contactTypes": APIJSON.contactTypes(change.roles), "services": 1,
                "confirmers": change.confirmers.map(\.rawValue),
            ]
        }
        let leftOut: [[String: Any]] = problems.sorted { $0.key < $1.key }.map { role, problem in
            let reason = switch problem {
            case .notAllowed, .unknownAccount: "noRight"
            case .noChange: "noChange"
            case .openRequest: "openRequest"
            case .paymentBlocked: "paymentRule"
            }
            return ["contactType": role.contactType, "reason": reason, "services": 1, "firstServiceIds": [state.serviceID]]
        }
        let covered = Dictionary(uniqueKeysWithValues: allowed.keys.map { ($0.contactType, 1) })
        // What the plan was made from: creating with this digest refuses if any of it moved.
        let basis = [
            String(state.serviceID),
            Role.allCases.map { "\($0.rawValue)=\(state.holders[$0].rawValue)" }.joined(separator: ","),
            state.facts.openRequests.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)#\($0.value)" }.joined(separator: ","),
            wanted.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)>\($0.value.rawValue)" }.joined(separator: ","),
            leftOut.map { "\($0["contactType"]!):\($0["reason"]!)" }.joined(separator: ","),
        ].joined(separator: "\n")
        let digest = Secret.digest(basis)
        let value: [String: Any] = ["digest": digest, "requests": requests, "covered": covered, "leftOut": leftOut]
        return (value, digest)
    }

    /// The rules' answer; answers withheld by the lookup throttle are a 429.
    private func checkChangesOrThrow(
        _ wanted: [Role: CustomerID], by account: Account, on state: EditState, context: APIContext
    ) throws -> ChangeCheck {
        let check = try checkChanges(wanted, by: account, on: state, now: context.now)
        if case .lookupsWithheld(let wait) = check {
            let minutes = max(1, Int((wait / 60).rounded(.up)))
            throw APIProblem(
                slug: "too-many-lookups", status: .tooManyRequests,
                detail: .localized(catalog.plural("edit_error_too_many_lookups", count: minutes, context.language)),
                headers: [("Retry-After", String(max(1, Int(wait.rounded(.up)))))])
        }
        return check
    }

    /// The rules refused some roles: 409 when each of them has an open request already (the
    /// service's `openContactChanges` names it), else 422; `errors` points at each role asked
    /// for, or at `toAccount` when that account does not exist.
    private func changeRefused(_ problems: [Role: ChangeRules.Problem], _ asked: APIChangeAsked, _ language: Language) -> APIProblem {
        let onlyOpen = problems.values.allSatisfy { if case .openRequest = $0 { true } else { false } }
        var errors: [(pointer: String, detail: APIProblem.Text)] = []
        for (role, problem) in problems.sorted(by: { asked.pointer(of: $0.key) < asked.pointer(of: $1.key) }) {
            let pointer = problem == .unknownAccount ? "/toAccount" : asked.pointer(of: role)
            if problem == .unknownAccount, errors.contains(where: { $0.pointer == pointer }) { continue }
            errors.append((pointer, .localized(message(for: problem, language))))
        }
        return onlyOpen
            ? APIProblem(slug: "open-request", status: .conflict, detail: .key("api_error_open_request"), errors: errors)
            : APIProblem(slug: "change-refused", status: .unprocessableContent, detail: .key("api_error_change_refused"), errors: errors)
    }

    /// Reads a change body (docs/openapi.json's `createContactChange`): every member at fault
    /// is reported at once; a selection of more than one service is `one-service-only`.
    private func changeAsked(_ context: APIContext, digestAllowed: Bool) throws -> APIChangeAsked {
        _ = try context.parameters([], catalog)
        var declaration: [String: (kind: JSONBody.Kind, required: Bool)] = [
            "selection": (.object, true), "contactTypes": (.stringArray, true), "toAccount": (.string, false),
        ]
        if digestAllowed { declaration["previewDigest"] = (.string, false) }
        let body = try jsonBody(context, limit: Self.apiChangeBodyLimit, declaration)
        var problems: [JSONBody.InvalidMember] = []
        func refuse(_ pointer: String) { problems.append(JSONBody.InvalidMember(pointer: pointer, reason: .notAccepted)) }

        let typeNames = body.strings("contactTypes") ?? []
        var roles: [Role] = []
        if typeNames.isEmpty { refuse("/contactTypes") }
        for (index, name) in typeNames.enumerated() {
            if let role = Role(contactType: name), !roles.contains(role) { roles.append(role) } else { refuse("/contactTypes/\(index)") }
        }
        var toAccount: CustomerID?
        if let text = body.string("toAccount") {
            do { toAccount = try CustomerID(parsing: text) } catch { refuse("/toAccount") }
        }

        let selection = body.object("selection") ?? JSONBody(members: [:])
        problems += selection.validate(["serviceIds": (.integerArray, false), "filter": (.object, false)], at: "/selection")
        let filter = selection.object("filter")
        if let filter {
            problems += filter.validate(["contactType": (.string, false), "type": (.string, false), "q": (.string, false)], at: "/selection/filter")
        }
        let ids = selection.integers("serviceIds")
        if (ids == nil) == (filter == nil), problems.isEmpty { refuse("/selection") }
        if let ids {
            if ids.isEmpty || ids.count > 1000 || Set(ids).count != ids.count { refuse("/selection/serviceIds") }
            for (index, id) in ids.enumerated() where id < 1 { refuse("/selection/serviceIds/\(index)") }
        }
        guard problems.isEmpty else { throw JSONBody.Failure.invalid(problems) }
        guard let ids, ids.count == 1, filter == nil else {
            throw APIProblem(
                slug: "one-service-only", status: .unprocessableContent, detail: .key("api_error_one_service_only"),
                errors: [(filter != nil ? "/selection/filter" : "/selection/serviceIds", .key("api_error_one_service_only_member"))])
        }
        return APIChangeAsked(
            serviceID: Int64(ids[0]), roles: roles, toAccount: toAccount,
            previewDigest: digestAllowed ? body.string("previewDigest") : nil)
    }
}
