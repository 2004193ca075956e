import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore
import Mustache

/// The edit page of one service: who holds each role, and a field for each role the signed-in
/// account may change. The server applies the same rules on every POST as the page shows.
extension Application {
    /// What the page needs to know about the service, read fresh for every request.
    struct EditState {
        let serviceID: Int64
        let name: String
        let type: ServiceType
        let holders: RoleHolders
        let accounts: [CustomerID: Account]
        let changeable: Set<Role>
        let openRequests: [Role: Int64]
        /// The current billing contact's arrears block every billing change before anything is typed.
        var billingBlockedBy: Account? {
            accounts[holders.billing].flatMap { $0.paymentStatus == .overdue ? $0 : nil }
        }
    }

    func showEditPage(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let state = try editState(context, account: account)
        let registered = context.query.value("notice") == "registered"
        return editForm(context, state, me: account, typed: [:], taken: [], fieldErrors: [:], registered: registered)
    }

    func submitEditPage(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let state = try editState(context, account: account)
        let form = try context.form()

        var typed: [Role: String] = [:]
        var taken: Set<Role> = []
        var wanted: [Role: CustomerID] = [:]
        var fieldErrors: [Role: String] = [:]
        for role in Role.allCases {
            // Only what CustomerID itself trims: a non-breaking or other Unicode space makes the ID
            // invalid instead of being cleaned into somebody's ID.
            let text = form.value("new_\(role.rawValue)")?.trimmingCharacters(in: CharacterSet(charactersIn: " \t\r\n")) ?? ""
            typed[role] = text
            if role != .administrative, form.value("take_\(role.rawValue)") == "1" {
                taken.insert(role)
                wanted[role] = account.id
            } else if !text.isEmpty {
                do {
                    wanted[role] = try CustomerID(parsing: text)
                } catch {
                    fieldErrors[role] = strings(context)[error.messageKey]
                }
            }
        }
        var formError: String?
        if wanted.isEmpty && fieldErrors.isEmpty {
            formError = strings(context)["edit_error_nothing"]
        }

        // Every rule checked here is checked again by the store, inside the transaction.
        let newAccounts = try database.accounts(Set(wanted.values))
        for (role, id) in wanted where newAccounts[id] == nil {
            fieldErrors[role] = strings(context)["edit_error_unknown_account"]
        }
        for (role, id) in wanted where fieldErrors[role] == nil {
            if state.openRequests[role] != nil {
                fieldErrors[role] = strings(context)["edit_error_open_request"]
            } else if !state.changeable.contains(role) {
                fieldErrors[role] = strings(context)["edit_error_not_allowed"]
            } else if state.holders[role] == id {
                fieldErrors[role] = strings(context)["edit_error_no_change"]
            } else if role == .billing, let old = state.accounts[state.holders.billing], let new = newAccounts[id],
                      let blocker = PaymentRule.blockers(oldBilling: old, newBilling: new).first {
                fieldErrors[role] = catalog.string("edit_error_payment", context.language, .string(blocker.nameWithID))
            }
        }
        guard fieldErrors.isEmpty, formError == nil else {
            return editForm(context, state, me: account, typed: typed, taken: taken, fieldErrors: fieldErrors, formError: formError)
        }

        let plan: [PlannedChange]
        switch ChangeRules.plan(requester: account.id, holders: state.holders, changes: wanted) {
        case .success(let planned): plan = planned
        case .failure(let problems):
            for (role, problem) in problems.byRole {
                fieldErrors[role] = strings(context)[problem == .noChange ? "edit_error_no_change" : "edit_error_not_allowed"]
            }
            return editForm(context, state, me: account, typed: typed, taken: taken, fieldErrors: fieldErrors)
        }
        let requests = plan.map { planned in
            NewRequest(plan: planned, serviceID: state.serviceID, codes: Dictionary(uniqueKeysWithValues: planned.confirmers.map { ($0, Secret.generate()) }))
        }
        do {
            _ = try database.createRequests(
                requests, expectedHolders: state.holders, now: context.now,
                expiresAfter: configuration.requestLifetime, compose: composeEmails
            )
        } catch let error as RequestError {
            let fresh = try editState(context, account: account)
            switch error {
            case .openRequestExists(let role, _):
                fieldErrors[role] = strings(context)["edit_error_open_request"]
            case .paymentBlocked(let ids):
                let names = ids.map { id in fresh.accounts[id].map(\.nameWithID) ?? newAccounts[id].map(\.nameWithID) ?? id.rawValue }
                fieldErrors[.billing] = catalog.string("edit_error_payment", context.language, .string(names.joined(separator: ", ")))
            case .unknownAccount(let id):
                for (role, wantedID) in wanted where wantedID == id {
                    fieldErrors[role] = strings(context)["edit_error_unknown_account"]
                }
            default:
                formError = strings(context)["edit_error_rules_changed"]
            }
            return editForm(context, fresh, me: account, typed: typed, taken: taken, fieldErrors: fieldErrors, formError: formError)
        }
        return .redirect(to: "/services/\(state.serviceID)/edit?notice=registered")
    }

    /// The service as the account may see it; a service it holds no role on does not exist for it.
    private func editState(_ context: RequestContext, account: Account) throws -> EditState {
        guard let serviceID = context.pathID,
              let service = try database.roleHolders(ofService: serviceID),
              !service.holders.roles(of: account.id).isEmpty
        else { throw WebError.notFound }
        let holders = service.holders
        return EditState(
            serviceID: serviceID, name: service.name, type: service.type, holders: holders,
            accounts: try database.accounts(Set(Role.allCases.map { holders[$0] })),
            changeable: ChangeRules.changeableRoles(of: account.id, holders: holders),
            openRequests: try database.openRequests(onService: serviceID, now: context.now)
        )
    }

    private func editForm(
        _ context: RequestContext,
        _ state: EditState,
        me: Account,
        typed: [Role: String],
        taken: Set<Role>,
        fieldErrors: [Role: String],
        formError: String? = nil,
        registered: Bool = false
    ) -> HTTPResponse {
        let strings = strings(context)
        let fields: [[String: Any]] = Role.allCases.map { role in
            let holder = state.accounts[state.holders[role]]
            var field: [String: Any] = [
                "role": role.rawValue,
                "label": strings[role.columnKey],
                "currentID": state.holders[role].rawValue,
                "currentName": holder?.displayName ?? "",
                "isMine": state.holders[role] == me.id,
                "value": typed[role] ?? "",
            ]
            if let open = state.openRequests[role] {
                field["openRequestURL"] = "/requests/\(open)"
            } else if !state.changeable.contains(role) {
                field["lockedReason"] = strings["edit_role_locked"]
            } else if role == .billing, let blocker = state.billingBlockedBy {
                field["lockedReason"] = catalog.string("edit_billing_blocked", context.language, .string(blocker.nameWithID))
            } else {
                field["editable"] = true
                if role != .administrative, state.changeable.contains(.administrative), state.holders[role] != me.id {
                    field["canTake"] = true
                    field["taken"] = taken.contains(role)
                }
            }
            field["error"] = fieldErrors[role]
            return field
        }
        var model: [String: Any] = [
            "serviceID": state.serviceID,
            "heading": catalog.string("edit_service", context.language, .string(state.name), .string(strings[state.type.labelKey])),
            "fields": fields,
            "anyEditable": fields.contains { $0["editable"] != nil },
        ]
        model["formError"] = formError
        model["registered"] = registered
        if !fieldErrors.isEmpty {
            model["errorSummary"] = catalog.plural("form_errors_summary", count: fieldErrors.count, context.language)
        }
        let status: HTTPStatus = fieldErrors.isEmpty && formError == nil ? .ok : .unprocessableContent
        return page("edit", titleKey: "edit_title", model, context: context, status: status)
    }

}

extension Role {
    /// The column heading that names the role's contact ("Technical contact").
    var columnKey: String { "contacts_col_\(rawValue)" }
}
