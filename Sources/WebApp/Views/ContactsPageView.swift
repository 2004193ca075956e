import ContactsDomain
import ContactsStore

/// `contacts.mustache`: the filters, the summary, one row per service and the paging links.
struct ContactsPageView: PageView {
    static let template = "contacts"
    let rows: [ContactRowView]
    let hasRows: Bool
    let filtered: Bool
    let resetURL: String
    let summary: String
    let range: String
    let text: String
    let roleOptions: [OptionView]
    let typeOptions: [OptionView]
    let sortOptions: [OptionView]
    let sizeOptions: [OptionView]
    let nameSortURL: String
    let typeSortURL: String
    let nameSort: String
    let typeSort: String
    var firstURL: String?
    var previousURL: String?
    var nextURL: String?
    /// The column headings, repeated in each row for narrow screens (as `data-label`).
    let typeHeading: String
    let adminHeading: String
    let techHeading: String
    let billingHeading: String
    let rolesHeading: String
    /// Catalog strings every row repeats, looked up once per page.
    let you: String
    let editShort: String
}

/// One `<option>` of a filter, sort or size select.
struct OptionView: Sendable {
    let value: String
    let label: String
    let selected: Bool
}

/// One row of the contacts table: the three contact cells and what may be asked.
struct ContactRowView: Sendable {
    /// Per-page values shared by all rows (catalog strings resolved once).
    struct Shared {
        let noEditOpen: String
        let noEditPayment: String
        let requesterPayment: PaymentStatus
        let typeLabels: [ServiceType: String]
        let roleLabels: [Role: String]
    }

    let name: String
    let type: String
    let adminID: String
    let adminName: String
    let adminMine: Bool
    let techID: String
    let techName: String
    let techMine: Bool
    let billingID: String
    let billingName: String
    let billingMine: Bool
    let myRoles: String
    let editURL: String
    /// The service's page (its owner's details and history).
    let serviceURL: String
    let editLabel: String
    /// Whether anything can be asked now; else why not.
    let canEdit: Bool
    let noEditReason: String
}

extension ContactRowView {
    init(row: ContactsRow, openRoles: Set<Role>, strings: Strings, shared: Shared) {
        name = row.name
        type = shared.typeLabels[row.type] ?? strings[row.type.labelKey]
        adminID = row.administrative.id.rawValue
        adminName = row.administrative.displayName
        adminMine = row.myRoles.contains(.administrative)
        techID = row.technical.id.rawValue
        techName = row.technical.displayName
        techMine = row.myRoles.contains(.technical)
        billingID = row.billing.id.rawValue
        billingName = row.billing.displayName
        billingMine = row.myRoles.contains(.billing)
        myRoles = row.myRoles.sorted().map { shared.roleLabels[$0] ?? strings[$0.labelKey] }.joined(separator: ", ")
        let askable = ChangeRules.askableRoles(myRoles: row.myRoles, openRoles: openRoles, requesterPayment: shared.requesterPayment)
        canEdit = !askable.isEmpty
        let changeable = row.myRoles.contains(.administrative) ? Set(Role.allCases) : row.myRoles
        noEditReason = canEdit ? "" : (changeable.isSubset(of: openRoles) ? shared.noEditOpen : shared.noEditPayment)
        editURL = "/services/\(row.serviceID)/edit"
        serviceURL = "/services/\(row.serviceID)"
        editLabel = strings.catalog.string("contacts_edit", strings.language, .string(row.name))
    }
}
