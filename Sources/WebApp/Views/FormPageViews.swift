/// `sign-in.mustache`: the customer ID and password form.
struct SignInPageView: PageView {
    static let template = "sign-in"
    let customerID: String
    let next: String
    var notice: String?
    var formError: String?
    var customerIDError: String?
    var passwordError: String?
}

/// `email-change.mustache`: confirming a new address from the emailed link.
struct EmailChangePageView: PageView {
    static let template = "email-change"
    let token: String
    var text: String?
    var formError: String?
}

/// `owner-email.mustache`: confirming a service owner's new address from the emailed link.
struct OwnerEmailPageView: PageView {
    static let template = "owner-email"
    let token: String
    var text: String?
    var done: String?
    var formError: String?
}

/// `mailbox.mustache`: the demo's delivered emails, newest first.
struct MailboxPageView: PageView {
    static let template = "mailbox"
    let messages: [MailView]
    let hasMessages: Bool
}

/// One delivered email of the demo mailbox.
struct MailView: Sendable {
    let to: String
    let subject: String
    let date: String
    let segments: [MailSegment]
}

/// A run of an email's body: plain text, or a link to follow.
struct MailSegment: Sendable {
    var text: String?
    var url: String?
}

/// `profile.mustache`: the account's facts, its address, language and time zone.
struct ProfilePageView: PageView {
    static let template = "profile"
    let customerID: String
    let displayName: String
    let email: String
    let paymentStatus: String
    let overdue: Bool
    let languageOptions: [OptionView]
    let timeZoneOptions: [OptionView]
    var signedInAt: String?
    var pending: String?
    var notice: String?
    var formError: String?
    var errorSummary: String?
    var emailError: String?
    var passwordError: String?
    var languageError: String?
    var timeZoneError: String?
    var apiTokens: APITokensView?
}
