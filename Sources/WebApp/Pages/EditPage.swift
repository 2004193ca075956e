import ContactsDomain
import ContactsStore
import Foundation
import HTTPCore
import Localization

/// The edit page of one service: who holds each role, and a field for each role the signed-in
/// account may change. The server applies the same rules on every POST as the page shows.
extension Application {
    func showEditPage(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let state = try editState(context, account: account)
        let registered = context.query.value("notice") == "registered"
        return editForm(context, state, me: account, typed: [:], taken: [], fieldErrors: [:], registered: registered)
    }

    func submitEditPage(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
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
                // Ticked and typed: which one is meant is not ours to guess.
                if text.isEmpty {
                    wanted[role] = account.id
                } else {
                    fieldErrors[role] = strings(context)["edit_error_take_and_id"]
                }
            } else if !text.isEmpty {
                do {
                    wanted[role] = try CustomerID(parsing: text)
                } catch {
                    fieldErrors[role] = strings(context)[error.messageKey]
                }
            }
        }
        let state = try editState(context, account: account, wanted: Set(wanted.values))
        var formError: String?
        if wanted.isEmpty && fieldErrors.isEmpty {
            formError = strings(context)["edit_error_nothing"]
        }
        // The same check as the store's, which runs it again inside its transaction.
        switch try checkChanges(wanted, by: account, on: state, now: context.now) {
        case .allowed:
            break
        case .lookupsWithheld(let wait):
            let minutes = max(1, Int((wait / 60).rounded(.up)))
            var response = editForm(
                context, state, me: account, typed: typed, taken: taken, fieldErrors: [:],
                formError: catalog.plural("edit_error_too_many_lookups", count: minutes, context.language),
                status: .tooManyRequests)
            response.headers.append(("Retry-After", String(Int(wait))))
            return response
        case .refused(let problems):
            for (role, problem) in problems where fieldErrors[role] == nil {
                fieldErrors[role] = message(for: problem, context)
            }
        }
        guard fieldErrors.isEmpty, formError == nil else {
            return editForm(context, state, me: account, typed: typed, taken: taken, fieldErrors: fieldErrors, formError: formError)
        }
        do {
            try createChanges(wanted, by: account, on: state, now: context.now)
        } catch let failure as CreationFailure {
            let fresh = failure.state
            switch failure.reason {
            case .refused(let problems):
                for (role, problem) in problems {
                    fieldErrors[role] = message(for: problem, context)
                }
            case .tooManyRequests(let refusal):
                var response = editForm(
                    context, fresh, me: account, typed: typed, taken: taken, fieldErrors: fieldErrors,
                    formError: tooManyRequestsMessage(refusal, fresh, context), status: .tooManyRequests)
                response.headers.append(("Retry-After", String(Int(refusal.retryAfter))))
                return response
            case .rulesChanged:
                formError = strings(context)["edit_error_rules_changed"]
            }
            return editForm(context, fresh, me: account, typed: typed, taken: taken, fieldErrors: fieldErrors, formError: formError)
        }
        return .redirect(to: "/services/\(state.serviceID)/edit?notice=registered")
    }

    private func tooManyRequestsMessage(_ refusal: CreationRefusal, _ state: EditState, _ context: RequestContext) -> String {
        tooManyRequestsMessage(refusal, state, context.language)
    }

    /// Why the store refused a new request for now: the asker's limits, or the new contact's.
    func tooManyRequestsMessage(_ refusal: CreationRefusal, _ state: EditState, _ language: Language) -> String {
        let minutes = max(1, Int((refusal.retryAfter / 60).rounded(.up)))
        switch refusal {
        case .tooManyRequests:
            return catalog.plural("edit_error_too_many_requests", count: minutes, language)
        case .tooManyForTarget(let target, _):
            return catalog.string(
                "edit_error_too_many_for_target", language,
                .string(state.facts.accounts[target]?.nameWithID ?? target.rawValue))
        }
    }

    private func message(for problem: ChangeRules.Problem, _ context: RequestContext) -> String {
        message(for: problem, context.language)
    }

    /// A rule's refusal of one role, as the edit page and the API word it.
    func message(for problem: ChangeRules.Problem, _ language: Language) -> String {
        switch problem {
        case .notAllowed: catalog.string("edit_error_not_allowed", language)
        case .noChange: catalog.string("edit_error_no_change", language)
        case .unknownAccount: catalog.string("edit_error_unknown_account", language)
        case .openRequest: catalog.string("edit_error_open_request", language)
        case .paymentBlocked(let blockers):
            catalog.string("edit_error_payment", language, .string(blockers.map(\.nameWithID).joined(separator: ", ")))
        }
    }

    /// The service of the page's address as the account may see it.
    private func editState(_ context: RequestContext, account: Account, wanted: Set<CustomerID> = []) throws -> EditState {
        try editState(serviceID: context.pathID, account: account, wanted: wanted, now: context.now)
    }

    private func editForm(
        _ context: RequestContext,
        _ state: EditState,
        me: Account,
        typed: [Role: String],
        taken: Set<Role>,
        fieldErrors: [Role: String],
        formError: String? = nil,
        registered: Bool = false,
        status: HTTPStatus? = nil
    ) -> HTTPResponse {
        let strings = strings(context)
        let fields: [EditFieldView] = Role.allCases.map { role in
            let holder = state.facts.accounts[state.holders[role]]
            var field = EditFieldView(
                role: role.rawValue,
                label: strings[role.columnKey],
                currentID: state.holders[role].rawValue,
                currentName: holder?.displayName ?? "",
                isMine: state.holders[role] == me.id,
                value: typed[role] ?? "")
            if let open = state.facts.openRequests[role] {
                field.openRequestURL = "/requests/\(open)"
            } else if !state.changeable.contains(role) {
                field.lockedReason = strings["edit_role_locked"]
            } else if role == .billing, let blocker = state.facts.billingBlockedBy {
                field.lockedReason = catalog.string("edit_billing_blocked", context.language, .string(blocker.nameWithID))
            } else {
                field.editable = true
                if role != .administrative, state.changeable.contains(.administrative), state.holders[role] != me.id {
                    field.canTake = true
                    field.taken = taken.contains(role)
                }
            }
            field.error = fieldErrors[role]
            return field
        }
        var model = EditPageView(
            serviceID: state.serviceID,
            heading: catalog.string("edit_service", context.language, .string(state.name), .string(strings[state.type.labelKey])),
            fields: fields,
            anyEditable: fields.contains { $0.editable },
            registered: registered,
            formError: formError)
        if !fieldErrors.isEmpty {
            model.errorSummary = catalog.plural("form_errors_summary", count: fieldErrors.count, context.language)
        }
        let status: HTTPStatus = status ?? (fieldErrors.isEmpty && formError == nil ? .ok : .unprocessableContent)
        return page(model, titleKey: "edit_title", context: context, status: status)
    }

}

extension Role {
    /// The column heading that names the role's contact ("Technical contact").
    var columnKey: String { "contacts_col_\(rawValue)" }
}
