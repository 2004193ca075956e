import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore

// The profile's "API tokens" section: a token is made with the password asked again (it acts
// in the account's name without its mailbox, SPEC "The email address and other sign-in data"),
// shown once on the page that answers the POST, and revoked with a button.

extension Application {
    func createAPIToken(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let form = try context.form()
        let typedName = form.value("name") ?? ""
        let typedDays = (form.value("days") ?? "").trimmingCharacters(in: .whitespaces)
        let typedScope = form.value("scope") ?? ""
        var section = APITokensView(tokenName: typedName, tokenDays: typedDays)
        func formBack(_ status: HTTPStatus, retryAfter: Int? = nil) throws -> HTTPResponse {
            var response = try profileForm(
                context, account: account, email: account.email.rawValue, language: account.language.rawValue,
                timeZone: account.chosenTimeZone ?? "", apiTokens: section, status: status)
            if let retryAfter { response.headers.append(("Retry-After", String(retryAfter))) }
            return response
        }
        let strings = strings(context)
        let scope = APITokenScope(rawValue: typedScope)
        section.tokenScopeOptions = scopeOptions(chosen: scope ?? .readOnly, strings)
        let days = typedDays.isEmpty ? nil : Int(typedDays)
        if scope == nil { section.tokenScopeError = strings["profile_token_error_scope"] }
        if !typedDays.isEmpty, days == nil { section.tokenDaysError = strings["profile_token_error_days"] }
        // The name and lifetime first, as the store will check them: no password is spent on a form
        // that cannot succeed.
        if case .failure(let problem) = APITokenRules.check(name: typedName, days: days, usableTokens: 0, now: context.now) {
            show(problem, in: &section, strings)
        }
        guard let scope, section.hasErrors == false else { return try formBack(.unprocessableContent) }

        let password = form.value("password") ?? ""
        if let (message, status, retryAfter) = passwordAgainProblem(
            try checkPasswordAgain(password, account: account, context: context), context) {
            section.tokenPasswordError = message
            return try formBack(status, retryAfter: retryAfter)
        }
        let token = APITokenSecret.generate()
        do {
            _ = try database.createAPIToken(
                for: account.id, name: typedName, scope: scope, days: days, digest: Secret.digest(token), now: context.now)
        } catch let problem as APITokenRules.Problem {
            show(problem, in: &section, strings)
            return try formBack(.unprocessableContent)
        }
        // Shown here, once: never in a redirect or a URL, and the page is never cached.
        section = APITokensView(newToken: token)
        return try formBack(.ok)
    }

    func revokeAPIToken(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        guard let id = context.pathID else { throw WebError.notFound }
        // Another account's token, or one revoked already: the same answer as an unknown one.
        guard try database.revokeAPIToken(id, of: account.id, now: context.now) else { throw WebError.notFound }
        return .redirect(to: "/profile?notice=token-revoked")
    }

    /// The section as the profile shows it: the typed values and messages of `state`, with the
    /// account's tokens and the scope choice.
    func apiTokensSection(_ state: APITokensView, account: Account, context: RequestContext) throws -> APITokensView {
        let strings = strings(context)
        var section = state
        if section.tokenDays.isEmpty, section.tokenDaysError == nil { section.tokenDays = String(APITokenRules.defaultDays) }
        if section.tokenScopeOptions.isEmpty { section.tokenScopeOptions = scopeOptions(chosen: .readOnly, strings) }
        section.rows = try database.apiTokens(of: account.id).map { token in
            let expired = !token.isUsable(at: context.now)
            let expires = dateTime(token.expiresAt, context)
            return APITokenRowView(
                id: token.id, name: token.name, scope: strings[token.scope.labelKey],
                expires: expired ? strings.catalog.string("profile_token_expired", context.language, .string(expires)) : expires,
                lastUsed: token.lastUsedAt.map { dateTime($0, context) } ?? strings["profile_token_never_used"],
                expired: expired)
        }
        section.hasTokens = !section.rows.isEmpty
        return section
    }

    private func scopeOptions(chosen: APITokenScope, _ strings: Strings) -> [OptionView] {
        APITokenScope.allCases.map { OptionView(value: $0.rawValue, label: strings[$0.labelKey], selected: $0 == chosen) }
    }

    private func show(_ problem: APITokenRules.Problem, in section: inout APITokensView, _ strings: Strings) {
        switch problem {
        case .invalidName: section.tokenNameError = strings["profile_token_error_name"]
        case .invalidLifetime: section.tokenDaysError = strings["profile_token_error_days"]
        case .tooMany: section.tokenFormError = strings["profile_token_error_too_many"]
        }
    }
}

extension APITokenScope {
    var labelKey: String {
        switch self {
        case .readOnly: "profile_token_scope_read_only"
        case .readWrite: "profile_token_scope_read_write"
        }
    }
}

extension APITokensView {
    var hasErrors: Bool {
        tokenNameError != nil || tokenDaysError != nil || tokenScopeError != nil || tokenFormError != nil
    }
}
