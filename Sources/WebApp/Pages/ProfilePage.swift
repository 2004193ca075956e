import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore
import Localization

extension Application {
    func showProfile(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        return try profileForm(
            context, account: account, email: account.email.rawValue, language: account.language.rawValue,
            timeZone: account.chosenTimeZone ?? "", notice: context.query.value("notice"))
    }

    func saveProfile(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let form = try context.form()
        let typedEmail = form.value("email") ?? ""
        let typedLanguage = form.value("language") ?? ""
        // Empty: the language's zone. A form of ours that predates the field sends nothing.
        let typedTimeZone = form.value("time_zone") ?? account.chosenTimeZone ?? ""
        let password = form.value("password") ?? ""

        var fieldErrors: [String: String] = [:]
        var email: EmailAddress?
        do {
            email = try EmailAddress(parsing: typedEmail)
        } catch {
            fieldErrors["email"] = error.messageKey
        }
        let language = Language(rawValue: typedLanguage)
        if language == nil {
            fieldErrors["language"] = "language_error_invalid"
        }
        if !typedTimeZone.isEmpty, !TimeZoneChoice.isValid(typedTimeZone) {
            fieldErrors["time_zone"] = "time_zone_error_invalid"
        }
        func formBack(_ status: HTTPStatus, passwordError: String? = nil) throws -> HTTPResponse {
            try profileForm(
                context, account: account, email: typedEmail, language: typedLanguage, timeZone: typedTimeZone,
                fieldErrors: fieldErrors, passwordError: passwordError, status: status)
        }
        guard let email, let language, fieldErrors.isEmpty else { return try formBack(.unprocessableContent) }

        if email != account.email {
            // The address is where codes go: moving it takes the password again, so that a
            // session alone (a stolen cookie) cannot redirect codes (docs/SECURITY.md).
            guard !password.isEmpty else {
                fieldErrors["password"] = "profile_password_error_empty"
                return try formBack(.unprocessableContent)
            }
            // Wrong passwords here count with the sign-in's, so this form is no way round its throttle.
            // As the sign-in counts them: per account and address for the wait, per address, and
            // per account towards the cap for all addresses together.
            let client = context.request.remoteAddress
            let keys: [SignInThrottle.Key] = [.accountFromClient(account.id, client), .client(client)]
            if let wait = try signInWaitTime(keys, now: context.now) {
                let seconds = Int(wait)
                fieldErrors["password"] = "signin_error_throttled"
                var response = try formBack(.tooManyRequests, passwordError: catalog.plural("signin_error_throttled", count: seconds, context.language))
                response.headers.append(("Retry-After", String(seconds)))
                return response
            }
            let hash = try database.passwordHash(for: account.id)
            // Hashed within the same bounded slots as the sign-in's, so this form cannot starve pages either.
            guard let matches = hashingSlots.withSlot({ hash.map { PasswordHasher.verify(password, against: $0) } ?? false }) else {
                var response = try formBack(.serviceUnavailable, passwordError: strings(context)["signin_error_busy"])
                response.headers.append(("Retry-After", String(Self.busyRetryAfterSeconds)))
                return response
            }
            guard matches else {
                try database.recordSignInFailure(keys: (keys + [.account(account.id)]).map(\.storageKey), now: context.now)
                fieldErrors["password"] = "profile_password_error_wrong"
                return try formBack(.unprocessableContent)
            }
            for key in [SignInThrottle.Key.account(account.id), .accountFromClient(account.id, client)] {
                try database.clearSignInFailures(key: key.storageKey)
            }
        }

        let notice: String
        let timeZone = typedTimeZone.isEmpty ? nil : typedTimeZone
        if email == account.email {
            try database.setPreferences(AccountPreferences(language: language, timeZone: timeZone), for: account.id)
            notice = "saved"
        } else {
            var updated = account
            updated.language = language
            updated.chosenTimeZone = timeZone
            try startEmailChange(updated, to: email, context: context, tellCurrentAddress: true)
            notice = "email-sent"
        }
        // The saved preference is also the explicit choice from now on, so pages follow it.
        context.cookiesToSet.append(languageCookie(language))
        return .redirect(to: "/profile?notice=\(notice)")
    }

    func switchLanguage(_ context: RequestContext) throws -> HTTPResponse {
        guard let language = Language(rawValue: context.query.value("set") ?? "") else { throw WebError.badRequest }
        context.cookiesToSet.append(languageCookie(language))
        context.language = language
        return .redirect(to: LocalPath.validated(context.query.value("back")) ?? "/")
    }

    func languageCookie(_ language: Language) -> SetCookie {
        SetCookie(name: LanguageCookie.name, value: language.rawValue, maxAge: LanguageCookie.maxAge,
                  httpOnly: true, secure: configuration.secureCookies, sameSite: .lax)
    }

    static let timeZoneIdentifiers = TimeZone.knownTimeZoneIdentifiers.filter(TimeZoneChoice.isValid).sorted()

    /// Profile notices, from the `notice` query parameter of the redirect that follows a POST.
    private static let profileNotices: [String: String] = [
        "saved": "profile_saved",
        "email-sent": "profile_email_requested",
        "email-resent": "profile_email_resent",
        "email-cancelled": "profile_email_cancelled",
        "email-changed": "profile_email_changed",
        "nothing-pending": "profile_email_nothing_pending",
        "token-revoked": "profile_token_revoked",
    ]

    func profileForm(
        _ context: RequestContext,
        account: Account,
        email: String,
        language: String,
        timeZone: String,
        notice: String? = nil,
        fieldErrors: [String: String] = [:],
        passwordError: String? = nil,
        apiTokens: APITokensView = APITokensView(),
        status: HTTPStatus = .ok
    ) throws -> HTTPResponse {
        let strings = strings(context)
        var model = ProfilePageView(
            customerID: account.id.rawValue,
            displayName: account.displayName,
            email: email,
            paymentStatus: strings[account.paymentStatus == .upToDate ? "payment_up_to_date" : "payment_overdue"],
            overdue: account.paymentStatus == .overdue,
            languageOptions: Language.allCases.map {
                OptionView(value: $0.rawValue, label: strings.catalog.string("language_name_\($0.rawValue)", $0), selected: $0.rawValue == language)
            },
            // First "my language's zone" (the stored NULL), then every IANA zone by name.
            timeZoneOptions: [OptionView(
                value: "",
                label: strings.catalog.string("time_zone_language_default", context.language, .string(account.language.defaultTimeZone)),
                selected: timeZone.isEmpty)]
                + Self.timeZoneIdentifiers.map { OptionView(value: $0, label: $0, selected: $0 == timeZone) })
        if let signedInAt = context.visitor.signedInAt {
            model.signedInAt = strings.catalog.string(
                "profile_last_sign_in", context.language,
                .string(dateTime(signedInAt, context))
            )
        }
        let pending = try database.pendingEmailChange(of: account.id, now: context.now)
        if let pending {
            model.pending = strings.catalog.string(
                "profile_email_pending", context.language, .string(pending.newAddress.rawValue),
                .string(dateTime(pending.expiresAt, context)))
        }
        if notice == "resend-wait" {
            model.formError = strings["profile_email_resend_wait"]
        } else if let key = notice.flatMap({ Self.profileNotices[$0] }) {
            switch key {
            case "profile_email_changed":
                model.notice = strings.catalog.string(key, context.language, .string(account.email.rawValue))
            case "profile_email_requested", "profile_email_resent":
                // Reloaded after the change was confirmed or cancelled: no longer true, not shown.
                model.notice = pending.map { strings.catalog.string(key, context.language, .string($0.newAddress.rawValue)) }
            default:
                model.notice = strings[key]
            }
        }
        model.emailError = fieldErrors["email"].map { strings[$0] }
        model.languageError = fieldErrors["language"].map { strings[$0] }
        model.timeZoneError = fieldErrors["time_zone"].map { strings[$0] }
        model.passwordError = passwordError ?? fieldErrors["password"].map { strings[$0] }
        if !fieldErrors.isEmpty {
            model.errorSummary = catalog.plural("form_errors_summary", count: fieldErrors.count, context.language)
        }
        model.apiTokens = try apiTokensSection(apiTokens, account: account, context: context)
        return page(model, titleKey: "profile_title", context: context, status: status)
    }
}

extension EmailAddressError {
    var messageKey: String {
        switch self {
        case .empty: "email_error_empty"
        case .tooLong: "email_error_too_long"
        case .malformed: "email_error_malformed"
        }
    }
}
