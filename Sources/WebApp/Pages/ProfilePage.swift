import ContactsDomain
import HTTPCore
import Localization

extension Application {
    func showProfile(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let saved = context.query.value("notice") == "saved"
        return profileForm(context, account: account, email: account.email.rawValue, language: account.language.rawValue, saved: saved)
    }

    func saveProfile(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let form = try context.form()
        let typedEmail = form.value("email") ?? ""
        let typedLanguage = form.value("language") ?? ""

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
        guard let email, let language, fieldErrors.isEmpty else {
            return profileForm(
                context, account: account, email: typedEmail, language: typedLanguage,
                fieldErrors: fieldErrors, status: .unprocessableContent
            )
        }
        try database.updateProfile(account.id, email: email, language: language)
        // The saved preference is also the explicit choice from now on, so pages follow it.
        context.cookiesToSet.append(languageCookie(language))
        return .redirect(to: "/profile?notice=saved")
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

    private func profileForm(
        _ context: RequestContext,
        account: Account,
        email: String,
        language: String,
        saved: Bool = false,
        fieldErrors: [String: String] = [:],
        status: HTTPStatus = .ok
    ) -> HTTPResponse {
        let strings = strings(context)
        var model: [String: Any] = [
            "customerID": account.id.rawValue,
            "displayName": account.displayName,
            "email": email,
            "paymentStatus": strings[account.paymentStatus == .upToDate ? "payment_up_to_date" : "payment_overdue"],
            "overdue": account.paymentStatus == .overdue,
            "languageOptions": Language.allCases.map {
                ["value": $0.rawValue, "label": strings.catalog.string("language_name_\($0.rawValue)", $0), "selected": $0.rawValue == language]
            },
        ]
        if let signedInAt = context.visitor.signedInAt {
            model["signedInAt"] = strings.catalog.string(
                "profile_last_sign_in", context.language,
                .string(LocalFormat.dateTime(signedInAt, context.language, timeZone: configuration.displayTimeZone))
            )
        }
        model["notice"] = saved ? strings["profile_saved"] : nil
        model["emailError"] = fieldErrors["email"].map { strings[$0] }
        model["languageError"] = fieldErrors["language"].map { strings[$0] }
        if !fieldErrors.isEmpty {
            model["errorSummary"] = catalog.plural("form_errors_summary", count: fieldErrors.count, context.language)
        }
        return page("profile", titleKey: "profile_title", model, context: context, status: status)
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
