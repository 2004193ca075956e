/// The same change asked for many services at once (SPEC "Bulk changes"): each service and role
/// checked by the edit page's rule (``ChangeRules/problem(asking:for:allowed:service:)``), the
/// acceptable ones grouped into one request per (old account, new account) pair, the others
/// left out with their reason. Pure: the store loads the selection and writes the plan.
public enum BulkChangePlanner {
    /// Plans `changes` (role → new contact; the requester itself for taking a role back) over
    /// the selected services. `accounts` holds every account involved: the holders of the
    /// changed roles and the new contacts, those that exist.
    public static func plan(
        requester: CustomerID,
        changes: [Role: CustomerID],
        services: [BulkServiceFacts],
        accounts: [CustomerID: Account],
        maximumRequests: Int = RequestPolicy.bulkMaximumRequests
    ) -> Result<BulkChangePlan, BulkPlanProblem> {
        guard !changes.isEmpty, !services.isEmpty else { return .failure(.nothingAsked) }
        for role in Role.allCases {
            if let wanted = changes[role], accounts[wanted] == nil { return .failure(.unknownAccount(role)) }
        }
        var grouped: [Pair: [Int64: [Role]]] = [:]
        var leftOut: [BulkLeftOut] = []
        for service in services {
            let facts = ServiceFacts(holders: service.holders, accounts: accounts, openRequests: service.openRequests)
            let allowed = ChangeRules.changeableRoles(of: requester, holders: service.holders)
            for role in Role.allCases {
                guard let wanted = changes[role] else { continue }
                switch ChangeRules.problem(asking: role, for: wanted, allowed: allowed, service: facts) {
                case nil:
                    grouped[Pair(from: service.holders[role], to: wanted), default: [:]][service.serviceID, default: []].append(role)
                case .notAllowed:
                    leftOut.append(BulkLeftOut(serviceID: service.serviceID, role: role, reason: .noRight))
                case .noChange:
                    leftOut.append(BulkLeftOut(serviceID: service.serviceID, role: role, reason: .noChange))
                case .openRequest(let id):
                    leftOut.append(BulkLeftOut(serviceID: service.serviceID, role: role, reason: .openRequest, openRequestID: id))
                case .paymentBlocked:
                    leftOut.append(BulkLeftOut(serviceID: service.serviceID, role: role, reason: .paymentRule))
                case .unknownAccount:
                    // Checked for the whole selection above.
                    return .failure(.unknownAccount(role))
                }
            }
        }
        guard grouped.count <= maximumRequests else {
            return .failure(.tooManyRequests(count: grouped.count, maximum: maximumRequests))
        }
        let requests = grouped
            .map { pair, services in
                BulkPlannedRequest(
                    from: pair.from, to: pair.to, requester: requester,
                    services: services.map { (serviceID: $0.key, roles: $0.value) })
            }
            .sorted { ($0.from.rawValue, $0.to.rawValue) < ($1.from.rawValue, $1.to.rawValue) }
        return .success(BulkChangePlan(requests: requests, leftOut: leftOut))
    }

    /// When every confirmer of a bulk request has accepted: each service checked again
    /// (``ChangeRules/takeEffectFailure``) against `holders` as they are now (a service missing
    /// there is gone). Those that pass change; the others stay as they are and are listed with
    /// their reason. A service changes whole or not at all.
    public static func takeEffect(
        _ request: BulkPlannedRequest,
        holders: [Int64: RoleHolders],
        accounts: [CustomerID: Account]
    ) -> BulkTakeEffect {
        var result = BulkTakeEffect()
        for service in request.services {
            if let failure = ChangeRules.takeEffectFailure(
                roles: service.roles, from: request.from, to: request.to, requester: request.requester,
                holders: holders[service.serviceID], accounts: accounts)
            {
                result.failed.append((service.serviceID, failure))
            } else {
                result.changes.append(service)
            }
        }
        return result
    }

    private struct Pair: Hashable {
        let from: CustomerID
        let to: CustomerID
    }
}

/// What taking effect does to a bulk request's services.
public struct BulkTakeEffect: Sendable {
    /// Service → the roles that move to the request's new contact now.
    public var changes: [(serviceID: Int64, roles: [Role])] = []
    /// The services left unchanged, and why.
    public var failed: [(serviceID: Int64, reason: RequestFailure)] = []

    /// The request's state once it has taken effect: done, even with some services failed
    /// (their list says so); failed only when no service could change.
    public var state: RequestState {
        changes.isEmpty ? .failed : .done
    }
}
