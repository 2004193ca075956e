import ContactsDomain
import ContactsStore
import Credentials
import Emails
import Foundation
import HTTPCore

// The service's page and the update of its owner's details: the form, a preview of old against
// new (nothing saved), then the save. Every rule is OwnerRules'; the store re-checks the update
// in its transaction, so a stale preview is shown again instead of being applied.

extension Application {
    /// The service as one of its contacts sees it; anybody else gets a 404.
    struct ServiceView {
        let id: Int64
        let name: String
        let type: ServiceType
        let holders: RoleHolders
        let owner: StoredOwner?
        let mayUpdate: Bool
    }

    func showService(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let view = try serviceView(context, account: account)
        var notice: String?
        switch context.query.value("notice") {
        case "owner-saved": notice = strings(context)["owner_saved"]
        default: break
        }
        return try servicePage(context, view, notice: notice)
    }

    func showOwnerForm(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        guard case .success(let (view, owner)) = try ownerUpdateAccess(context, account: account) else {
            return try refusedOwnerUpdate(context, account: account)
        }
        let typed = Dictionary(uniqueKeysWithValues: OwnerField.allCases.map { ($0, owner.details.contact[$0]) })
        return ownerForm(context, view, owner, typed: typed)
    }

    /// The form's POST: the form again with the problems, or the preview.
    func previewOwnerUpdate(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let form = try context.form()
        let typed = ownerForm(form)
        guard case .success(let (view, owner)) = try ownerUpdateAccess(context, account: account) else {
            return try refusedOwnerUpdate(context, account: account)
        }
        if form.value("edit") == "1" {
            return ownerForm(context, view, owner, typed: typed)
        }
        switch OwnerRules.validate(typed, country: owner.details.country) {
        case .failure(let problems):
            return ownerForm(context, view, owner, typed: typed, problems: problems)
        case .success(let proposed):
            guard !proposed.changedFields(from: owner.details.contact).isEmpty else {
                return ownerForm(context, view, owner, typed: typed, formError: strings(context)["owner_no_change"])
            }
            return ownerPreview(context, view, owner, proposed: proposed)
        }
    }

    /// The preview's POST: saved, or the preview again when the details changed meanwhile.
    func saveOwnerUpdate(_ context: RequestContext) throws -> HTTPResponse {
        guard let account = context.visitor.account else { return redirectToSignIn(context) }
        let form = try context.form()
        let typed = ownerForm(form)
        guard case .success(let (view, owner)) = try ownerUpdateAccess(context, account: account) else {
            return try refusedOwnerUpdate(context, account: account)
        }
        // The preview's values come back from the browser: read them again, never trust them.
        let proposed: OwnerContactDetails
        switch OwnerRules.validate(typed, country: owner.details.country) {
        case .success(let valid): proposed = valid
        case .failure(let problems): return ownerForm(context, view, owner, typed: typed, problems: problems)
        }
        guard let revision = form.value("revision").flatMap(Int.init) else { throw WebError.badRequest }
        if proposed.email != owner.details.contact.email {
            let result = try checkPasswordAgain(form.value("password") ?? "", account: account, context: context)
            if let problem = passwordAgainProblem(result, context) {
                var response = ownerPreview(context, view, owner, proposed: proposed, passwordError: problem.message, status: problem.status)
                if let seconds = problem.retryAfter { response.headers.append(("Retry-After", String(seconds))) }
                return response
            }
        }
        let token = Secret.generate()
        do {
            try database.updateOwner(
                ofService: view.id, by: account.id, to: proposed, previewedRevision: revision,
                tokenDigest: Secret.digest(token), now: context.now,
                emails: { ownerEmails.update($0, at: context.now, token: token) })
        } catch OwnerUpdateError.refused(let refusal) {
            let fresh = try serviceView(context, account: account)
            guard let current = fresh.owner else { throw WebError.notFound }
            switch refusal {
            case .stale:
                return ownerPreview(context, fresh, current, proposed: proposed, stale: true)
            case .noChange:
                return ownerForm(context, fresh, current, typed: typed, formError: strings(context)["owner_no_change"])
            case .notAllowed:
                return try servicePage(context, fresh, error: strings(context)["owner_not_allowed"], status: .forbidden)
            }
        }
        return .redirect(to: "/services/\(view.id)?notice=owner-saved")
    }

    // MARK: The link sent to a new owner address

    /// The emailed link opens a page with a button: a GET never confirms (mail scanners open
    /// links). No sign-in: the owner need not have an account; the token is the proof.
    func showOwnerEmailLink(_ context: RequestContext) throws -> HTTPResponse {
        let token = context.query.value("token") ?? ""
        switch try ownerEmailLink(token: token, now: context.now) {
        case .success(let link): return ownerLinkPage(context, token: token, link: link)
        case .failure(let problem): return ownerLinkPage(context, problem: problem)
        }
    }

    func confirmOwnerEmailLink(_ context: RequestContext) throws -> HTTPResponse {
        let token = try context.form().value("token") ?? ""
        if case .failure(let problem) = try ownerEmailLink(token: token, now: context.now) {
            return ownerLinkPage(context, problem: problem)
        }
        do {
            let link = try database.confirmOwnerEmail(tokenDigest: Secret.digest(token), now: context.now)
            return ownerLinkPage(context, done: link)
        } catch let problem as OwnerRules.LinkProblem {
            // Confirmed or replaced between the read and the write.
            return ownerLinkPage(context, problem: problem)
        }
    }

    private func ownerEmailLink(token: String, now: Date) throws -> Result<OwnerEmailLink, OwnerRules.LinkProblem> {
        guard !token.isEmpty, token.utf8.count <= 128,
              let link = try database.ownerEmailLink(tokenDigest: Secret.digest(token))
        else { return .failure(.unknown) }
        return OwnerRules.checkLink(
            isPending: link.isPending, expiresAt: link.expiresAt.timeIntervalSinceReferenceDate,
            now: now.timeIntervalSinceReferenceDate
        ).map { link }
    }

    // MARK: Access

    func serviceView(_ context: RequestContext, account: Account) throws -> ServiceView {
        guard let id = context.pathID,
              let service = try database.roleHolders(ofService: id),
              OwnerRules.canView(account.id, holders: service.holders)
        else { throw WebError.notFound }
        return ServiceView(
            id: id, name: service.name, type: service.type, holders: service.holders,
            owner: try database.owner(ofService: id, now: context.now),
            mayUpdate: OwnerRules.canUpdate(account.id, holders: service.holders))
    }

    private enum OwnerAccessRefusal: Error { case notAllowed, noOwner }

    private func ownerUpdateAccess(
        _ context: RequestContext, account: Account
    ) throws -> Result<(ServiceView, StoredOwner), OwnerAccessRefusal> {
        let view = try serviceView(context, account: account)
        guard view.mayUpdate else { return .failure(.notAllowed) }
        guard let owner = view.owner else { return .failure(.noOwner) }
        return .success((view, owner))
    }

    /// The service page with the reason, 403: a technical or billing contact, or no owner yet.
    func refusedOwnerUpdate(_ context: RequestContext, account: Account) throws -> HTTPResponse {
        let view = try serviceView(context, account: account)
        let key = view.mayUpdate ? "owner_none" : "owner_not_allowed"
        return try servicePage(context, view, error: strings(context)[key], status: view.mayUpdate ? .conflict : .forbidden)
    }

    private func ownerForm(_ form: FormData) -> OwnerRules.Form {
        Dictionary(uniqueKeysWithValues: OwnerField.allCases.map { ($0, form.value("owner_\($0.rawValue)") ?? "") })
    }
}
