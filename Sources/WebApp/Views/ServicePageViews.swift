/// What the service page, the owner form and its preview all show: which service, who holds it.
struct ServiceHeaderView: Sendable {
    let serviceID: Int64
    let heading: String
    let contacts: [ServiceContactView]
}

/// One contact of a service on its page: the role and the customer ID holding it.
struct ServiceContactView: Sendable {
    let label: String
    let id: String
}

/// A labelled value of a service owner's details.
struct LabelledValue: Sendable {
    let label: String
    let value: String
}

/// `service.mustache`: the service's contacts, its owner's details and their history.
struct ServicePageView: PageView {
    static let template = "service"
    let service: ServiceHeaderView
    var notice: String?
    var formError: String?
    let mayUpdate: Bool
    let readOnly: Bool
    var owner: OwnerDetailsView?
    var pending: String?
    let hasHistory: Bool
    let history: [ServiceEventView]
}

/// The owner's details, as rows of the service page.
struct OwnerDetailsView: Sendable {
    let rows: [LabelledValue]
}

/// One change of a service's owner details.
struct ServiceEventView: Sendable {
    let when: String
    let who: String
    let what: String
}

/// `owner-form.mustache`: the owner's fixed facts and the fields that may be updated.
struct OwnerFormPageView: PageView {
    static let template = "owner-form"
    let service: ServiceHeaderView
    let fixed: [LabelledValue]
    let fields: [OwnerFieldView]
    var formError: String?
    var errorSummary: String?
}

/// One field of the owner form.
struct OwnerFieldView: Sendable {
    let name: String
    let label: String
    let value: String
    let hint: String
    let type: String
    var error: String?
}

/// `owner-preview.mustache`: the proposed details beside the current ones, before saving.
struct OwnerPreviewPageView: PageView {
    static let template = "owner-preview"
    let service: ServiceHeaderView
    let revision: Int
    let rows: [OwnerChangeView]
    let hidden: [HiddenFieldView]
    let emailPending: Bool
    let stale: Bool
    var passwordError: String?
    let nothingChanged: Bool
}

/// One field of the preview: its current and proposed value.
struct OwnerChangeView: Sendable {
    let label: String
    let old: String
    let new: String
    let changed: Bool
}

/// A proposed value carried by the preview's form.
struct HiddenFieldView: Sendable {
    let name: String
    let value: String
}
