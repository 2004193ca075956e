/// `edit.mustache`: one fieldset per role, to ask for a new contact.
struct EditPageView: PageView {
    static let template = "edit"
    let serviceID: Int64
    let heading: String
    let fields: [EditFieldView]
    let anyEditable: Bool
    let registered: Bool
    var formError: String?
    var errorSummary: String?
}

/// One role of the edit form: who holds it, and whether and how it can be changed now.
struct EditFieldView: Sendable {
    let role: String
    let label: String
    let currentID: String
    let currentName: String
    let isMine: Bool
    let value: String
    var editable = false
    var canTake = false
    var taken = false
    var openRequestURL: String?
    var lockedReason: String?
    var error: String?
}
