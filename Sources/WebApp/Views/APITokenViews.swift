/// The profile's "API tokens" section: the list, the form to make one, and a new token once.
// Names differ from the profile's own (`tokenPasswordError`, not `passwordError`): a nil value
// here must not show the profile form's.
struct APITokensView: Sendable {
    var rows: [APITokenRowView] = []
    var hasTokens: Bool = false
    /// The token just created, shown on the page that answers the form's POST and never again.
    var newToken: String?
    var tokenFormError: String?
    var tokenName: String = ""
    var tokenDays: String = ""
    var tokenScopeOptions: [OptionView] = []
    var tokenNameError: String?
    var tokenDaysError: String?
    var tokenScopeError: String?
    var tokenPasswordError: String?
}

/// One token of the list.
struct APITokenRowView: Sendable {
    let id: Int64
    let name: String
    let scope: String
    let expires: String
    let lastUsed: String
    let expired: Bool
}
