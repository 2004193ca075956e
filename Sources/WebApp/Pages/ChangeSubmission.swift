import ContactsDomain
import ContactsStore
import Foundation

/// Asking for contact changes on one service, as the edit page and the API both do it: the
/// rules checked against the service as read (`ChangeRules.check`), answers about other
/// accounts counted and withheld past the lookup throttle, then the store's `createRequests`,
/// which checks everything again in its transaction. Each caller words the outcome its own way.
extension Application {
    /// The service as the account may see it, read fresh for every request.
    struct EditState {
        let serviceID: Int64
        let name: String
        let type: ServiceType
        let facts: ServiceFacts
        let changeable: Set<Role>
        var holders: RoleHolders { facts.holders }
    }

    /// What the rules say about a submission before anything is stored.
    enum ChangeCheck {
        case allowed
        /// The problems per role (`ChangeRules.check`).
        case refused([Role: ChangeRules.Problem])
        /// The answer would tell about other accounts and the account asked too often lately.
        case lookupsWithheld(retryAfter: TimeInterval)
    }

    /// Why the store refused to create the requests; `state` is the service as it is now.
    struct CreationFailure: Error {
        enum Reason {
            /// Per role, as `ChangeRules` words them (an open request, payments, an unknown account).
            case refused([Role: ChangeRules.Problem])
            case tooManyRequests(CreationRefusal)
            /// The holders changed since the service was read, or the rules no longer allow it.
            case rulesChanged
        }

        let reason: Reason
        let state: EditState
    }

    /// The service `serviceID` as `account` sees it; one it holds no role on does not exist for it.
    func editState(serviceID: Int64?, account: Account, wanted: Set<CustomerID> = [], now: Date) throws -> EditState {
        guard let serviceID,
              let service = try database.roleHolders(ofService: serviceID),
              !service.holders.roles(of: account.id).isEmpty,
              let facts = try database.serviceFacts(ofService: serviceID, wanted: wanted, now: now)
        else { throw WebError.notFound }
        return EditState(
            serviceID: serviceID, name: service.name, type: service.type, facts: facts,
            changeable: ChangeRules.changeableRoles(of: account.id, holders: facts.holders))
    }

    /// The rules' answer to `wanted` (role → new holder) on the service as read. An answer about
    /// other accounts (unknown IDs, another account's arrears) is counted, and withheld past
    /// ``RequestPolicy/lookupThrottle``.
    func checkChanges(_ wanted: [Role: CustomerID], by account: Account, on state: EditState, now: Date) throws -> ChangeCheck {
        guard case .failure(let problems) = ChangeRules.check(requester: account.id, changes: wanted, service: state.facts) else {
            return .allowed
        }
        if ChangeRules.revealsOtherAccounts(problems, requester: account.id, holders: state.holders) {
            let throttle = RequestPolicy.lookupThrottle
            let recent = try database.recentLookups(by: account.id, since: now.addingTimeInterval(-throttle.window))
            if let wait = throttle.waitTime(for: .account(account.id), failures: recent.count, latestFailure: recent.latest, now: now) {
                return .lookupsWithheld(retryAfter: wait)
            }
            try database.recordLookup(by: account.id, at: now)
        }
        return .refused(problems.byRole)
    }

    /// Creates the requests of `wanted` against the holders `state` was read with.
    /// - Returns: the new requests' IDs, one per (old account, new account) pair.
    /// - Throws: ``CreationFailure`` with the service read again, or what the store throws.
    @discardableResult
    func createChanges(_ wanted: [Role: CustomerID], by account: Account, on state: EditState, now: Date) throws -> [Int64] {
        do {
            return try database.createRequests(
                onService: state.serviceID, by: account.id, changes: wanted, expectedHolders: state.holders,
                now: now, expiresAfter: configuration.requestLifetime, limits: configuration.creationLimits)
        } catch let error as RequestError {
            let fresh = try editState(serviceID: state.serviceID, account: account, wanted: Set(wanted.values), now: now)
            let reason: CreationFailure.Reason
            switch error {
            case .openRequestExists(let role, let id):
                reason = .refused([role: .openRequest(id: id)])
            case .paymentBlocked(let ids):
                reason = .refused([.billing: .paymentBlocked(ids.compactMap { fresh.facts.accounts[$0] })])
            case .unknownAccount(let id):
                reason = .refused(Dictionary(uniqueKeysWithValues: wanted.filter { $0.value == id }.map { ($0.key, .unknownAccount) }))
            case .tooManyRequests(let refusal):
                reason = .tooManyRequests(refusal)
            default:
                reason = .rulesChanged
            }
            throw CreationFailure(reason: reason, state: fresh)
        }
    }
}
