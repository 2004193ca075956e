import ContactsDomain
import ContactsStore
import Emails
import Foundation
import HTTPCore
import Localization

// The view models of the service page, the owner form, its preview and the link page.

extension Application {
    func servicePage(
        _ context: RequestContext, _ view: ServiceView, notice: String? = nil, error: String? = nil, status: HTTPStatus = .ok
    ) throws -> HTTPResponse {
        let strings = strings(context)
        let events = try database.serviceEvents(ofService: view.id)
        var model = ServicePageView(
            service: serviceHeader(context, view), notice: notice, formError: error,
            mayUpdate: view.mayUpdate && view.owner != nil, readOnly: !view.mayUpdate,
            hasHistory: !events.isEmpty, history: events.reversed().map { event in
            let fields = event.fields.map { strings[$0.labelKey] }.joined(separator: ", ")
            let what: String = switch event.kind {
            case .ownerSet: strings["history_owner_set"]
            case .ownerUpdated: catalog.string("history_owner_updated", context.language, .string(fields))
            case .ownerEmailConfirmed: strings["history_owner_email_confirmed"]
            }
            return ServiceEventView(when: dateTime(event.at, context), who: event.actor?.rawValue ?? strings["history_by_nobody"], what: what)
        })
        if let owner = view.owner {
            model.owner = ownerRows(context, owner.details)
            if let pending = owner.pendingEmail, let until = owner.pendingUntil {
                model.pending = catalog.string(
                    "owner_pending", context.language, .string(pending.rawValue), .string(dateTime(until, context)))
            }
        }
        return page(model, titleKey: "service_title", context: context, status: status)
    }

    func ownerForm(
        _ context: RequestContext, _ view: ServiceView, _ owner: StoredOwner, typed: OwnerRules.Form,
        problems: OwnerFormProblems? = nil, formError: String? = nil
    ) -> HTTPResponse {
        let strings = strings(context)
        let country = owner.details.country
        let fixed = [("owner_field_name", owner.details.name), ("owner_field_organisation", owner.details.organisation),
                     ("owner_field_country", strings["country_\(country.rawValue.lowercased())"])]
            .compactMap { key, value in value.map { LabelledValue(label: strings[key], value: $0) } }
        var model = OwnerFormPageView(
            service: serviceHeader(context, view), fixed: fixed,
            fields: OwnerField.allCases.map { field in
                OwnerFieldView(
                    name: "owner_\(field.rawValue)", label: strings[field.labelKey], value: typed[field] ?? "",
                    hint: strings[hintKey(field, country)], type: field == .email ? "email" : (field == .phone ? "tel" : "text"),
                    error: problems?.byField[field].map { message($0, field: field, country: country, context) })
            },
            formError: formError)
        if let problems, !problems.byField.isEmpty {
            model.errorSummary = catalog.plural("form_errors_summary", count: problems.byField.count, context.language)
        }
        let status: HTTPStatus = problems == nil && formError == nil ? .ok : .unprocessableContent
        return page(model, titleKey: "owner_update_title", context: context, status: status)
    }

    func ownerPreview(
        _ context: RequestContext, _ view: ServiceView, _ owner: StoredOwner, proposed: OwnerContactDetails, stale: Bool = false,
        passwordError: String? = nil, status: HTTPStatus? = nil
    ) -> HTTPResponse {
        let strings = strings(context)
        let current = owner.details.contact
        let model = OwnerPreviewPageView(
            service: serviceHeader(context, view),
            revision: owner.revision,
            rows: OwnerField.allCases.map { field in
                OwnerChangeView(label: strings[field.labelKey], old: current[field], new: proposed[field], changed: current[field] != proposed[field])
            },
            hidden: OwnerField.allCases.map { HiddenFieldView(name: "owner_\($0.rawValue)", value: proposed[$0]) },
            emailPending: proposed.email != current.email,
            stale: stale,
            passwordError: passwordError,
            nothingChanged: proposed.changedFields(from: current).isEmpty)
        return page(model, titleKey: "owner_preview_title", context: context, status: status ?? (stale ? .conflict : .ok))
    }

    func ownerLinkPage(
        _ context: RequestContext, token: String = "", link: OwnerEmailLink? = nil, done: OwnerEmailLink? = nil,
        problem: OwnerRules.LinkProblem? = nil
    ) -> HTTPResponse {
        var model = OwnerEmailPageView(token: token)
        if let link {
            model.text = catalog.string(
                "owner_link_text", context.language, .string(link.newEmail.rawValue), .string(link.serviceName))
        }
        if let done {
            model.done = catalog.string("owner_link_done", context.language, .string(done.newEmail.rawValue))
        }
        let status: HTTPStatus
        switch problem {
        case .unknown:
            model.formError = strings(context)["owner_link_error_unknown"]
            status = .notFound
        case .expired:
            model.formError = strings(context)["owner_link_error_expired"]
            status = .conflict
        case .used:
            model.formError = strings(context)["owner_link_error_used"]
            status = .conflict
        case nil:
            status = .ok
        }
        var response = page(model, titleKey: "owner_link_title", context: context, status: status)
        // The address carries the token: never send it on as a referrer.
        response.headers.append(("Referrer-Policy", "no-referrer"))
        return response
    }

    private func serviceHeader(_ context: RequestContext, _ view: ServiceView) -> ServiceHeaderView {
        let strings = strings(context)
        return ServiceHeaderView(
            serviceID: view.id,
            heading: catalog.string("edit_service", context.language, .string(view.name), .string(strings[view.type.labelKey])),
            contacts: Role.allCases.map { ServiceContactView(label: strings[$0.columnKey], id: view.holders[$0].rawValue) })
    }

    private func ownerRows(_ context: RequestContext, _ owner: OwnerDetails) -> OwnerDetailsView {
        let strings = strings(context)
        let contact = owner.contact
        var rows: [LabelledValue] = []
        if let name = owner.name { rows.append(LabelledValue(label: strings["owner_field_name"], value: name)) }
        if let organisation = owner.organisation { rows.append(LabelledValue(label: strings["owner_field_organisation"], value: organisation)) }
        for field in OwnerField.allCases {
            rows.append(LabelledValue(label: strings[field.labelKey], value: contact[field]))
            if field == .city {
                rows.append(LabelledValue(label: strings["owner_field_country"], value: strings["country_\(contact.country.rawValue.lowercased())"]))
            }
        }
        return OwnerDetailsView(rows: rows)
    }

    private func hintKey(_ field: OwnerField, _ country: Country) -> String {
        switch field {
        case .postalCode, .phone: "owner_hint_\(field.rawValue)_\(country.rawValue.lowercased())"
        case .street, .city, .email: "owner_hint_\(field.rawValue)"
        }
    }

    private func message(_ problem: OwnerFieldProblem, field: OwnerField, country: Country, _ context: RequestContext) -> String {
        let strings = strings(context)
        switch (field, problem) {
        case (_, .empty): return strings["owner_error_empty"]
        case (.email, .tooLong): return strings["email_error_too_long"]
        case (.email, _): return strings["email_error_malformed"]
        case (.postalCode, _): return strings["owner_error_postal_code_\(country.rawValue.lowercased())"]
        case (.phone, _): return strings["owner_error_phone_\(country.rawValue.lowercased())"]
        case (_, .tooLong): return strings["owner_error_too_long"]
        case (_, _): return strings["owner_error_characters"]
        }
    }
}
