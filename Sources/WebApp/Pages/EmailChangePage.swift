import ContactsDomain
import ContactsStore
import Credentials
import Foundation
import HTTPCore

// The confirmation of a new email address: the emailed link opens a page with a button (GET
// never changes anything, as mail scanners open links), the button's POST confirms.

extension Application {
    /// How long the link sent to a new address works (docs/DECISIONS.md).
    static let emailChangeLifetime: TimeInterval = 24 * 60 * 60
    /// "Send the link again" waits this long after the last link.
    static let emailChangeResendInterval: TimeInterval = 60

    /// Records a pending change with a fresh link; the new address gets the link and, on the
    /// first request (not on a resend), the current address is told. The account's language is
    /// saved with it: the emails are written in it.
    func startEmailChange(_ account: Account, to newAddress: EmailAddress, context: RequestContext, tellCurrentAddress: Bool) throws {
        let token = Secret.generate()
        let expiresAt = context.now.addingTimeInterval(Self.emailChangeLifetime)
        var emails = [accountEmails.confirmationLink(account, newAddress: newAddress, token: token, expiresAt: expiresAt)]
        if tellCurrentAddress {
            emails.append(accountEmails.changeRequested(account, newAddress: newAddress, at: context.now))
        }
        try database.requestEmailChange(
            account.id, to: newAddress, tokenDigest: Secret.digest(token),
            lifetime: Self.emailChangeLifetime, now: context.now,
            preferences: AccountPreferences(language: account.language, timeZone: account.chosenTimeZone), emails: emails)
    }

    func showEmailConfirmation(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let token = context.query.value("token") ?? ""
        do {
            let change = try openEmailChange(token: token, account: account, now: context.now)
            return confirmationPage(context, account: account, token: token, newAddress: change.newAddress)
        } catch let error as EmailChangeError {
            return confirmationPage(context, account: account, error: error)
        }
    }

    func confirmEmailChange(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let token = try context.form().value("token") ?? ""
        do {
            let change = try openEmailChange(token: token, account: account, now: context.now)
            try database.confirmEmailChange(
                tokenDigest: Secret.digest(token), account: account.id, now: context.now,
                emails: [accountEmails.changed(account, newAddress: change.newAddress)])
            return .redirect(to: "/profile?notice=email-changed")
        } catch let error as EmailChangeError {
            return confirmationPage(context, account: account, error: error)
        }
    }

    func cancelEmailChange(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let cancelled = try database.cancelEmailChange(of: account.id, now: context.now)
        return .redirect(to: cancelled ? "/profile?notice=email-cancelled" : "/profile?notice=nothing-pending")
    }

    /// A fresh link to the same new address; the old link stops working. No password: the
    /// address was chosen with it, and only the new address's owner can use the link.
    func resendEmailChange(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        guard let pending = try database.pendingEmailChange(of: account.id, now: context.now) else {
            return .redirect(to: "/profile?notice=nothing-pending")
        }
        guard context.now.timeIntervalSince(pending.createdAt) >= Self.emailChangeResendInterval else {
            return .redirect(to: "/profile?notice=resend-wait")
        }
        try startEmailChange(account, to: pending.newAddress, context: context, tellCurrentAddress: false)
        return .redirect(to: "/profile?notice=email-resent")
    }

    /// The signed-in account's change that `token` names, if its link still works.
    private func openEmailChange(token: String, account: Account, now: Date) throws -> EmailChange {
        guard !token.isEmpty, token.utf8.count <= 128,
              let change = try database.emailChange(tokenDigest: Secret.digest(token), account: account.id)
        else { throw EmailChangeError.unknownToken }
        guard change.state == .pending else { throw EmailChangeError.alreadyUsed }
        guard now < change.expiresAt else { throw EmailChangeError.expired }
        return change
    }

    private func confirmationPage(
        _ context: RequestContext, account: Account, token: String = "", newAddress: EmailAddress? = nil,
        error: EmailChangeError? = nil
    ) -> HTTPResponse {
        let strings = strings(context)
        var model = EmailChangePageView(token: token)
        if let newAddress {
            model.text = strings.catalog.string(
                "address_change_text", context.language, .string(account.id.rawValue), .string(newAddress.rawValue))
        }
        let status: HTTPStatus
        switch error {
        case .unknownToken:
            model.formError = strings["address_change_error_unknown"]
            status = .notFound
        case .expired:
            model.formError = strings["address_change_error_expired"]
            status = .conflict
        case .alreadyUsed:
            model.formError = strings["address_change_error_used"]
            status = .conflict
        case nil:
            status = .ok
        }
        var response = page(model, titleKey: "address_change_title", context: context, status: status)
        // The address carries the token: never send it on as a referrer.
        response.headers.append(("Referrer-Policy", "no-referrer"))
        return response
    }
}
