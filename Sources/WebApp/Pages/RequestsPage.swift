import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore
import Localization

/// "My requests" and the page of one request, where confirmers accept or refuse with their code.
extension Application {
    /// Requests per page of "My requests".
    static let requestsPageSize = 50

    func showRequests(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        var state: RequestState?
        if let value = context.query.value("state"), !value.isEmpty {
            guard let parsed = RequestState(rawValue: value) else { throw WebError.badRequest }
            state = parsed
        }
        var after: RequestListCursor?
        if let token = context.query.value("after"), !token.isEmpty {
            guard let cursor = RequestListCursor(token: token) else { throw WebError.badRequest }
            after = cursor
        }
        let list = try database.requests(for: account.id, state: state, after: after, limit: Self.requestsPageSize, now: context.now)
        let strings = strings(context)
        let rows = list.requests.map { requestSummary($0, me: account, context: context) }
        let open = rows.filter(\.isOpen)
        let history = rows.filter { !$0.isOpen }
        var model = RequestsPageView(
            open: open,
            history: history,
            hasOpen: !open.isEmpty,
            hasHistory: !history.isEmpty,
            hasRequests: !rows.isEmpty,
            summary: catalog.plural("requests_summary", count: list.totalCount, context.language),
            stateOptions: [OptionView(value: "", label: strings["requests_filter_any"], selected: state == nil)]
                + RequestState.allCases.map { OptionView(value: $0.rawValue, label: strings[$0.labelKey], selected: $0 == state) },
            fromPrevious: false,
            finishedHead: TableHeadView(fromPrevious: true))
        func url(after cursor: RequestListCursor?) -> String {
            var query = FormData()
            query.set("state", state?.rawValue)
            query.set("after", cursor?.token)
            return query.encoded.isEmpty ? "/requests" : "/requests?\(query.encoded)"
        }
        if after != nil { model.firstURL = url(after: nil) }
        if let next = list.next { model.nextURL = url(after: next) }
        return page(model, titleKey: "requests_title", context: context)
    }

    func showRequest(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let request = try loadRequest(context, account: account)
        let noticeKey: String? = switch context.query.value("notice") {
        case "accepted": "request_notice_accepted"
        case "done": "request_notice_done"
        case "refused": "request_notice_refused"
        case "cancelled": "request_notice_cancelled"
        case "resent": "request_notice_resent"
        default: nil
        }
        // Opening the emailed link only fills the code in; only the buttons act on it.
        let code = context.query.value("code") ?? ""
        return requestPage(context, request, me: account, code: code, notice: noticeKey.map { strings(context)[$0] })
    }

    func acceptRequest(_ context: RequestContext) throws -> HTTPResponse {
        try decide(context) { .accept(by: $0, code: $1) }
    }

    func refuseRequest(_ context: RequestContext) throws -> HTTPResponse {
        try decide(context) { .refuse(by: $0, code: $1) }
    }

    func cancelRequest(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let id = try requestID(context)
        return try act(context, account: account) {
            let request = try database.perform(.cancel(by: account.id), on: id, now: context.now)
            return .redirect(to: "/requests/\(request.id)?notice=cancelled")
        }
    }

    func resendRequest(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let id = try requestID(context)
        return try act(context, account: account) {
            let request = try database.perform(.resend(by: account.id), on: id, now: context.now)
            return .redirect(to: "/requests/\(request.id)?notice=resent")
        }
    }

    /// Accept or refuse: both need the confirmer's code.
    private func decide(
        _ context: RequestContext, _ command: (CustomerID, String) -> RequestCommand
    ) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let id = try requestID(context)
        let code = (try context.form().value("code") ?? "").trimmingCharacters(in: .whitespaces)
        guard !code.isEmpty else {
            let request = try loadRequest(context, account: account)
            return requestPage(context, request, me: account, code: "", codeError: strings(context)["request_error_code_empty"], status: .unprocessableContent)
        }
        return try act(context, account: account, code: code) {
            let request = try database.perform(command(account.id, code), on: id, now: context.now)
            let notice = switch request.state {
            case .done: "done"
            case .refused: "refused"
            case .waiting: "accepted"
            default: ""
            }
            return .redirect(to: "/requests/\(request.id)" + (notice.isEmpty ? "" : "?notice=\(notice)"))
        }
    }

    /// Runs a store action; what it refuses comes back as the request page with the reason.
    private func act(_ context: RequestContext, account: Account, code: String = "", _ action: () throws -> HTTPResponse) throws -> HTTPResponse {
        do {
            return try action()
        } catch let error as RequestError {
            if error == .notFound { throw WebError.notFound }
            let request = try loadRequest(context, account: account)
            let (message, status, retryAfter) = explain(error, context.language)
            var response = requestPage(
                context, request, me: account, code: code,
                codeError: error == .wrongCode ? message : nil,
                formError: error == .wrongCode ? nil : message, status: status
            )
            if let retryAfter { response.headers.append(("Retry-After", String(retryAfter))) }
            return response
        }
    }

    /// What a refused action on a request tells the person, with its status and the seconds to
    /// wait: the request page and the API say the same.
    func explain(_ error: RequestError, _ language: Language) -> (String, HTTPStatus, Int?) {
        let strings = Strings(catalog: catalog, language: language)
        switch error {
        case .wrongCode:
            return (strings["request_error_wrong_code"], .unprocessableContent, nil)
        case .tooManyWrongCodes(let wait):
            let seconds = Int(wait.rounded(.up))
            return (catalog.plural("request_error_too_many", count: seconds, language), .tooManyRequests, seconds)
        case .resendTooSoon(let wait):
            let seconds = Int(wait.rounded(.up))
            return (catalog.plural("request_error_resend_too_soon", count: seconds, language), .tooManyRequests, seconds)
        case .refused(.notAConfirmer):
            return (strings["request_error_not_confirmer"], .forbidden, nil)
        case .refused(.notTheRequester):
            return (strings["request_error_not_requester"], .forbidden, nil)
        case .refused(.alreadyAccepted):
            return (strings["request_error_already_accepted"], .conflict, nil)
        case .refused(.mayNotResend):
            return (strings["request_error_may_not_resend"], .forbidden, nil)
        case .refused(.resendLimitReached):
            return (strings["request_error_resend_limit"], .tooManyRequests, nil)
        case .refused(.notOpen), .refused(.notFound), .refused(.wrongCode), .refused(.tooManyWrongCodes),
             .refused(.resendTooSoon), .tooManyRequests, .openRequestExists, .unknownService, .unknownAccount, .paymentBlocked, .rulesChanged, .notFound:
            return (strings["request_error_closed"], .conflict, nil)
        }
    }

    private func requestID(_ context: RequestContext) throws -> Int64 {
        guard let id = context.pathID else { throw WebError.notFound }
        return id
    }

    /// Nobody but a participant sees a request, whatever its address: anybody else gets 404.
    private func loadRequest(_ context: RequestContext, account: Account) throws -> RequestSnapshot {
        do {
            return try database.request(try requestID(context), for: account.id, now: context.now)
        } catch RequestError.notFound {
            throw WebError.notFound
        }
    }

    private func requestPage(
        _ context: RequestContext,
        _ request: RequestSnapshot,
        me: Account,
        code: String,
        notice: String? = nil,
        codeError: String? = nil,
        formError: String? = nil,
        status: HTTPStatus = .ok
    ) -> HTTPResponse {
        let strings = strings(context)
        let language = context.language
        let awaitingMe = request.state.isOpen && request.awaited.contains { $0.id == me.id }
        let names = Dictionary(request.participants.map { ($0.id, $0.nameWithID) }, uniquingKeysWith: { first, _ in first })
        let model = RequestPageView(
            request: requestSummary(request, me: me, context: context),
            awaitingMe: awaitingMe,
            canCancel: request.state.isOpen && request.requester.id == me.id,
            // The asker resends every awaited code, a confirmer still awaited its own (SPEC "Requests").
            canResend: request.state.isOpen && (request.requester.id == me.id || awaitingMe),
            code: code,
            notice: notice,
            codeError: codeError,
            formError: formError,
            decidedAt: request.decidedAt.map { dateTime($0, context) },
            failure: request.failure.map { strings[$0 == .holdersChanged ? "request_failed_holders" : "request_failed_payment"] },
            confirmations: request.confirmations.map { confirmation in
                ConfirmationView(
                    who: confirmation.confirmer.nameWithID,
                    status: confirmation.acceptedAt.map { catalog.string("request_confirmed_at", language, .string(dateTime($0, context))) }
                        ?? strings["request_awaited"],
                    accepted: confirmation.acceptedAt != nil)
            },
            events: request.events.map { event in
                let actor = event.actor.map { names[$0] ?? $0.rawValue } ?? ""
                return EventView(at: dateTime(event.at, context), text: catalog.string("event_\(event.kind)", language, .string(actor)))
            })
        var response = page(model, titleKey: "request_title", context: context, status: status)
        // The address may carry a personal code: never send it on as a referrer.
        response.headers.append(("Referrer-Policy", "no-referrer"))
        return response
    }

    /// The columns both pages show for a request.
    private func requestSummary(_ request: RequestSnapshot, me: Account, context: RequestContext) -> RequestSummaryView {
        let strings = strings(context)
        let awaited = request.awaited
        var waiting: String?
        if request.state.isOpen {
            waiting = awaited.contains { $0.id == me.id }
                ? strings["request_waiting_you"]
                : catalog.string("request_waiting_for", context.language, .string(awaited.map(\.nameWithID).joined(separator: ", ")))
        }
        return RequestSummaryView(
            id: request.id,
            url: "/requests/\(request.id)",
            service: request.serviceName,
            serviceType: strings[request.serviceType.labelKey],
            roles: request.roles.map { strings[$0.labelKey] }.joined(separator: ", "),
            from: request.from.nameWithID,
            to: request.to.nameWithID,
            requester: request.requester.nameWithID,
            state: strings[request.state.labelKey],
            stateClass: "state-\(request.state.rawValue)",
            isOpen: request.state.isOpen,
            requestedAt: dateTime(request.requestedAt, context),
            expiresAt: dateTime(request.expiresAt, context),
            waiting: waiting)
    }

}
