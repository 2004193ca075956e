import Foundation
import ContactsDomain
import ContactsStore
import HTTPCore
import Localization

/// The view of "My contacts" that the address bar carries: filters, sort, page size and position.
struct ContactsView: Equatable {
    static let pageSizes = [25, 50, 100]
    static let maximumTextLength = 100

    var role: Role?
    var type: ServiceType?
    var text = ""
    var sort: ContactsSort = .name
    var descending = false
    var size = 50
    var cursor: ContactsCursor?
    var backward = false
    /// Position of the first row, only for the "51–100 of 20 000" label; never trusted for paging.
    var start = 1

    /// Any value a link of ours never produces is a bad request, not a silent default.
    init(query: FormData) throws(WebError) {
        func value(_ name: String) -> String? {
            guard let value = query.value(name), !value.isEmpty else { return nil }
            return value
        }
        if let role = value("role") {
            guard let parsed = Role(rawValue: role) else { throw .badRequest }
            self.role = parsed
        }
        if let type = value("type") {
            guard let parsed = ServiceType(rawValue: type) else { throw .badRequest }
            self.type = parsed
        }
        text = (query.value("q") ?? "").trimmingCharacters(in: .whitespaces)
        guard text.count <= Self.maximumTextLength else { throw .badRequest }
        if let sort = value("sort") {
            guard let parsed = Self.sortOptions.first(where: { $0.value == sort }) else { throw .badRequest }
            (self.sort, descending) = (parsed.sort, parsed.descending)
        }
        if let size = value("size") {
            guard let parsed = Int(size), Self.pageSizes.contains(parsed) else { throw .badRequest }
            self.size = parsed
        }
        if let after = value("after") {
            guard let cursor = ContactsCursor(token: after) else { throw .badRequest }
            self.cursor = cursor
        } else if let before = value("before") {
            guard let cursor = ContactsCursor(token: before) else { throw .badRequest }
            self.cursor = cursor
            backward = true
        }
        if let start = value("start") {
            guard let parsed = Int(start), parsed >= 1, parsed <= 100_000_000 else { throw .badRequest }
            self.start = parsed
        }
    }

    static let sortOptions: [(value: String, sort: ContactsSort, descending: Bool, labelKey: String)] = [
        ("name", .name, false, "sort_name_asc"),
        ("name-desc", .name, true, "sort_name_desc"),
        ("type", .type, false, "sort_type_asc"),
        ("type-desc", .type, true, "sort_type_desc"),
    ]

    var sortValue: String {
        Self.sortOptions.first { $0.sort == sort && $0.descending == descending }!.value
    }

    var storeQuery: ContactsQuery {
        var query = ContactsQuery()
        query.role = role
        query.type = type
        query.text = text
        query.sort = sort
        query.descending = descending
        query.cursor = cursor
        query.direction = backward ? .backward : .forward
        query.limit = size
        return query
    }

    /// A link to this view with some parts changed; paging parts are dropped unless given.
    func url(sortValue: String? = nil, after: ContactsCursor? = nil, before: ContactsCursor? = nil, start: Int? = nil) -> String {
        var query = FormData()
        query.set("role", role?.rawValue)
        query.set("type", type?.rawValue)
        query.set("q", text.isEmpty ? nil : text)
        let sort = sortValue ?? self.sortValue
        query.set("sort", sort == "name" ? nil : sort)
        query.set("size", size == 50 ? nil : String(size))
        query.set("after", after?.token)
        query.set("before", before?.token)
        query.set("start", start.flatMap { $0 > 1 ? String($0) : nil })
        let encoded = query.encoded
        return encoded.isEmpty ? "/contacts" : "/contacts?\(encoded)"
    }
}

extension Application {
    func showContacts(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let view = try ContactsView(query: context.query)
        let result = try database.contactsPage(for: account.id, query: view.storeQuery)
        let openRoles = try database.openRoles(onServices: result.rows.map(\.serviceID), now: context.now)
        let strings = strings(context)
        let language = context.language

        // A bounded count (a filter matching more than the bound) is no upper limit for the position.
        let first = result.rows.isEmpty ? 0
            : result.totalCountIsBounded ? view.start
            : min(view.start, max(1, result.totalCount - result.rows.count + 1))
        // The catalog strings the row template repeats, looked up once per page.
        let rowStrings = ContactRowView.Shared(
            noEditOpen: strings["contacts_no_edit_open"],
            noEditPayment: strings["contacts_no_edit_payment"],
            requesterPayment: account.paymentStatus,
            typeLabels: Dictionary(uniqueKeysWithValues: ServiceType.allCases.map { ($0, strings[$0.labelKey]) }),
            roleLabels: Dictionary(uniqueKeysWithValues: Role.allCases.map { ($0, strings[$0.labelKey]) })
        )
        let rows = result.rows.map { ContactRowView(row: $0, openRoles: openRoles[$0.serviceID] ?? [], strings: strings, shared: rowStrings) }
        var model = ContactsPageView(
            rows: rows,
            hasRows: !rows.isEmpty,
            filtered: view.role != nil || view.type != nil || !view.text.isEmpty,
            resetURL: "/contacts",
            summary: catalog.plural(
                result.totalCountIsBounded ? "contacts_summary_more" : "contacts_summary", count: result.totalCount, language),
            range: result.rows.count == 1 && !result.totalCountIsBounded
                ? strings.catalog.string("page_range_one", language, .integer(first), .integer(result.totalCount))
                : strings.catalog.string(
                    result.totalCountIsBounded ? "page_range_more" : "page_range", language,
                    .integer(first), .integer(first + max(result.rows.count, 1) - 1), .integer(result.totalCount)
                ),
            text: view.text,
            roleOptions: [OptionView(value: "", label: strings["filter_role_any"], selected: view.role == nil)]
                + Role.allCases.map { OptionView(value: $0.rawValue, label: strings[$0.labelKey], selected: view.role == $0) },
            typeOptions: [OptionView(value: "", label: strings["filter_type_any"], selected: view.type == nil)]
                + ServiceType.allCases.map { OptionView(value: $0.rawValue, label: strings[$0.labelKey], selected: view.type == $0) },
            sortOptions: ContactsView.sortOptions.map { OptionView(value: $0.value, label: strings[$0.labelKey], selected: $0.value == view.sortValue) },
            sizeOptions: ContactsView.pageSizes.map { OptionView(value: String($0), label: String($0), selected: $0 == view.size) },
            nameSortURL: view.url(sortValue: view.sortValue == "name" ? "name-desc" : "name"),
            typeSortURL: view.url(sortValue: view.sortValue == "type" ? "type-desc" : "type"),
            nameSort: view.sort == .name ? (view.descending ? "descending" : "ascending") : "none",
            typeSort: view.sort == .type ? (view.descending ? "descending" : "ascending") : "none",
            typeHeading: strings["contacts_col_type"], adminHeading: strings["contacts_col_admin"],
            techHeading: strings["contacts_col_tech"], billingHeading: strings["contacts_col_billing"],
            rolesHeading: strings["contacts_your_roles"],
            you: strings["contacts_you"],
            editShort: strings["contacts_edit_short"]
        )
        if let previous = result.previousCursor {
            model.firstURL = view.url()
            model.previousURL = view.url(before: previous, start: max(1, first - view.size))
        }
        if let next = result.nextCursor {
            model.nextURL = view.url(after: next, start: first + result.rows.count)
        }
        return page(model, titleKey: "contacts_title", context: context)
    }
}
