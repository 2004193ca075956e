import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore

extension Application {
    func showSignIn(_ context: RequestContext) throws -> HTTPResponse {
        let next = LocalPath.validated(context.query.value("next"))
        if context.visitor.isSignedIn {
            return .redirect(to: next ?? "/contacts")
        }
        let noticeKey: String? = switch context.query.value("notice") {
        case "signed-out": "signin_signed_out"
        case "expired": "signin_session_expired"
        default: nil
        }
        return signInForm(context, customerID: "", next: next, noticeKey: noticeKey)
    }

    func signIn(_ context: RequestContext) throws -> HTTPResponse {
        let form = try context.form()
        let typedID = form.value("customer_id") ?? ""
        let password = form.value("password") ?? ""
        let next = LocalPath.validated(form.value("next"))

        var fieldErrors: [String: String] = [:]
        var customerID: CustomerID?
        do {
            customerID = try CustomerID(parsing: typedID)
        } catch {
            fieldErrors["customer_id"] = error.messageKey
        }
        if password.isEmpty {
            fieldErrors["password"] = "password_error_empty"
        }
        guard let customerID, fieldErrors.isEmpty else {
            return signInForm(context, customerID: typedID, next: next, fieldErrors: fieldErrors, status: .unprocessableContent)
        }

        // The attempt is counted before the password is checked, so concurrent ones all count.
        let attempt: SignInAttempt
        switch try database.beginSignIn(
            account: customerID, client: context.request.remoteAddress, now: context.now,
            throttle: configuration.signInThrottle)
        {
        case .wait(let wait):
            let seconds = Int(wait.seconds)
            let key = wait.reason == .failures ? "signin_error_throttled" : "signin_error_too_many_sign_ins"
            let message = catalog.plural(key, count: seconds, context.language)
            var response = signInForm(context, customerID: typedID, next: next, errorMessage: message, status: .tooManyRequests)
            response.headers.append(("Retry-After", String(seconds)))
            return response
        case .proceed(let admitted):
            attempt = admitted
        }

        let hash = try database.passwordHash(for: customerID)
        guard let matches = hashingSlots.withSlot({ passwordMatches(password, hash: hash) }) else {
            // Every slot is busy: the password was not checked, so the attempt does not count.
            try database.abandonSignIn(attempt)
            var response = signInForm(
                context, customerID: typedID, next: next,
                errorMessage: strings(context)["signin_error_busy"], status: .serviceUnavailable)
            response.headers.append(("Retry-After", String(Self.busyRetryAfterSeconds)))
            return response
        }
        guard matches, let account = try database.account(customerID) else {
            try database.recordSignInFailure(attempt)
            return signInForm(
                context, customerID: typedID, next: next,
                errorMessage: strings(context)["signin_error_invalid"], status: .unprocessableContent
            )
        }
        try database.recordSignInSuccess(attempt, now: context.now)
        context.visitor = try sessions.signIn(account, replacing: context.visitor, now: context.now)
        return .redirect(to: next ?? "/contacts")
    }

    /// What a sign-in refused for want of a hashing slot is told to wait: a moment, since the
    /// slots free up within tens of milliseconds.
    static let busyRetryAfterSeconds = 2

    func signOut(_ context: RequestContext) throws -> HTTPResponse {
        context.visitor = try sessions.signOut(context.visitor)
        return .redirect(to: "/sign-in?notice=signed-out")
    }

    /// Whether the password matches. An unknown ID (no hash) costs the same hash computation
    /// as a known one, so the answer's timing does not tell which IDs exist.
    private func passwordMatches(_ password: String, hash: String?) -> Bool {
        guard let hash else {
            _ = PasswordHasher.verify(password, against: unknownAccountHash)
            return false
        }
        return PasswordHasher.verify(password, against: hash)
    }

    /// The longest wait any of `keys` imposes now (the profile's password check counts with the
    /// sign-in's failures, so the form is no way round the throttle).
    func signInWaitTime(_ keys: [SignInThrottle.Key], now: Date) throws -> TimeInterval? {
        let throttle = SignInThrottle()
        var longest: TimeInterval?
        for key in keys {
            let failures = try database.signInFailures(key: key.storageKey, since: now.addingTimeInterval(-throttle.window))
            if let wait = throttle.waitTime(for: key, failures: failures.count, latestFailure: failures.latest, now: now) {
                longest = max(longest ?? 0, wait)
            }
        }
        return longest
    }

    private func signInForm(
        _ context: RequestContext,
        customerID: String,
        next: String?,
        noticeKey: String? = nil,
        fieldErrors: [String: String] = [:],
        errorMessage: String? = nil,
        status: HTTPStatus = .ok
    ) -> HTTPResponse {
        let strings = strings(context)
        let model = SignInPageView(
            customerID: customerID,
            next: next ?? "",
            notice: noticeKey.map { strings[$0] },
            formError: errorMessage,
            customerIDError: fieldErrors["customer_id"].map { strings[$0] },
            passwordError: fieldErrors["password"].map { strings[$0] })
        return page(model, titleKey: "signin_title", context: context, status: status)
    }
}

extension CustomerIDError {
    var messageKey: String {
        switch self {
        case .empty: "customer_id_error_empty"
        case .tooLong: "customer_id_error_too_long"
        case .malformed: "customer_id_error_malformed"
        }
    }
}
