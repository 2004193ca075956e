/// `requests.mustache`: the account's open requests, then the finished ones, a page at a time.
struct RequestsPageView: PageView {
    static let template = "requests"
    let open: [RequestSummaryView]
    let history: [RequestSummaryView]
    let hasOpen: Bool
    let hasHistory: Bool
    let hasRequests: Bool
    let summary: String
    let stateOptions: [OptionView]
    /// The open table's heading names the contact being replaced as the current one.
    let fromPrevious: Bool
    /// The history table's heading names it as the previous one.
    let finishedHead: TableHeadView
    var firstURL: String?
    var nextURL: String?
}

/// What `request-table-head.mustache` varies.
struct TableHeadView: Sendable {
    let fromPrevious: Bool
}

/// `request.mustache`: one request, its confirmations and events, and what the reader may do.
struct RequestPageView: PageView {
    static let template = "request"
    let request: RequestSummaryView
    let awaitingMe: Bool
    let canCancel: Bool
    let canResend: Bool
    let code: String
    var notice: String?
    var codeError: String?
    var formError: String?
    var decidedAt: String?
    var failure: String?
    let confirmations: [ConfirmationView]
    let events: [EventView]
}

/// The columns both request pages show for a request (`request-row.mustache`).
struct RequestSummaryView: Sendable {
    let id: Int64
    let url: String
    let service: String
    let serviceType: String
    let roles: String
    let from: String
    let to: String
    let requester: String
    let state: String
    let stateClass: String
    let isOpen: Bool
    let requestedAt: String
    let expiresAt: String
    let waiting: String?
}

/// One confirmer of a request and whether it has accepted.
struct ConfirmationView: Sendable {
    let who: String
    let status: String
    let accepted: Bool
}

/// One line of a request's or a service's history.
struct EventView: Sendable {
    let at: String
    let text: String
}
