/// Who holds each role on one service.
public struct RoleHolders: Equatable, Sendable {
    public var administrative: CustomerID
    public var technical: CustomerID
    public var billing: CustomerID

    public init(administrative: CustomerID, technical: CustomerID, billing: CustomerID) {
        self.administrative = administrative
        self.technical = technical
        self.billing = billing
    }

    public subscript(role: Role) -> CustomerID {
        get {
            switch role {
            case .administrative: administrative
            case .technical: technical
            case .billing: billing
            }
        }
        set {
            switch role {
            case .administrative: administrative = newValue
            case .technical: technical = newValue
            case .billing: billing = newValue
            }
        }
    }

    public func roles(of account: CustomerID) -> Set<Role> {
        Set(Role.allCases.filter { self[$0] == account })
    }
}

/// What the rules need to know about a service to check a submission for it.
public struct ServiceFacts: Equatable, Sendable {
    public var holders: RoleHolders
    /// The current holders and the accounts asked for, those that exist.
    public var accounts: [CustomerID: Account]
    /// The requests still open on the service: role → request ID.
    public var openRequests: [Role: Int64]

    public init(holders: RoleHolders, accounts: [CustomerID: Account], openRequests: [Role: Int64]) {
        self.holders = holders
        self.accounts = accounts
        self.openRequests = openRequests
    }

    /// The current billing contact's arrears block every billing change before anything is typed.
    public var billingBlockedBy: Account? {
        accounts[holders.billing].flatMap { $0.paymentStatus == .overdue ? $0 : nil }
    }
}

/// One request to be created: `roles` move from `from` to `to`, confirmed by `confirmers`.
public struct PlannedChange: Equatable, Sendable {
    public var roles: [Role]
    public var from: CustomerID
    public var to: CustomerID
    public var requester: CustomerID
    /// The requester first, then the new contact when it is somebody else.
    public var confirmers: [CustomerID]

    public init(roles: [Role], from: CustomerID, to: CustomerID, requester: CustomerID) {
        self.roles = roles.sorted()
        self.from = from
        self.to = to
        self.requester = requester
        self.confirmers = requester == to ? [requester] : [requester, to]
    }
}

/// Who may ask for which change of a service's contacts (SPEC "Changing contacts").
///
/// | requester's role | may ask to                                          | confirmed by            |
/// |------------------|-----------------------------------------------------|-------------------------|
/// | administrative   | set a new technical and/or billing contact          | requester + new contact |
/// | administrative   | take the technical and/or billing role for itself   | requester only          |
/// | administrative   | hand the administrative role to another account     | requester + new contact |
/// | technical        | hand the technical role to another account          | requester + new contact |
/// | billing          | hand the billing role to another account            | requester + new contact |
///
/// An account with several roles gets the union.
public enum ChangeRules {
    public enum Problem: Error, Equatable, Sendable {
        /// The requester holds no role that lets it change this one.
        case notAllowed
        /// The role already belongs to the account asked for.
        case noChange
        /// No account has the customer ID asked for.
        case unknownAccount
        /// A request covering this role of the service is still open.
        case openRequest(id: Int64)
        /// These accounts (the old or the new billing contact) are behind with payments.
        case paymentBlocked([Account])
    }

    /// What is wrong with a submission, role by role.
    public struct Problems: Error, Equatable, Sendable {
        public var byRole: [Role: Problem]

        public init(byRole: [Role: Problem]) {
            self.byRole = byRole
        }
    }

    /// The roles `requester` may change on a service with these holders.
    public static func changeableRoles(of requester: CustomerID, holders: RoleHolders) -> Set<Role> {
        let held = holders.roles(of: requester)
        if held.contains(.administrative) { return Set(Role.allCases) }
        return held
    }

    /// The roles `requester` could ask to change right now, as the contacts table shows it (a
    /// pencil only where this is not empty): the changeable ones, less those with an open
    /// request, less billing when the requester is the billing contact and behind with payments
    /// (the old billing contact must be up to date).
    public static func askableRoles(
        myRoles: Set<Role>, openRoles: Set<Role>, requesterPayment: PaymentStatus
    ) -> Set<Role> {
        var roles = myRoles.contains(.administrative) ? Set(Role.allCases) : myRoles
        roles.subtract(openRoles)
        if myRoles.contains(.billing), requesterPayment == .overdue {
            roles.remove(.billing)
        }
        return roles
    }

    /// Whether the answer to a submission tells the requester something about an account other
    /// than itself and the service's contacts: that a typed ID is unknown, or that the account
    /// it names is behind with payments. Such answers are counted (``RequestPolicy/lookupThrottle``).
    public static func revealsOtherAccounts(_ problems: Problems, requester: CustomerID, holders: RoleHolders) -> Bool {
        let known = Set([requester] + Role.allCases.map { holders[$0] })
        return problems.byRole.values.contains { problem in
            switch problem {
            case .unknownAccount: true
            case .paymentBlocked(let accounts): accounts.contains { !known.contains($0.id) }
            case .notAllowed, .noChange, .openRequest: false
            }
        }
    }

    /// Turns one submission of the edit page (role → wanted holder) into requests: one per pair
    /// of (old account, new account), so handing both technical and billing roles from A to B
    /// is a single request. Either every change is acceptable and the plan is returned, or the
    /// problems are reported per role and nothing is planned.
    public static func plan(
        requester: CustomerID,
        holders: RoleHolders,
        changes: [Role: CustomerID]
    ) -> Result<[PlannedChange], Problems> {
        let allowed = changeableRoles(of: requester, holders: holders)
        var problems: [Role: Problem] = [:]
        for (role, wanted) in changes {
            if !allowed.contains(role) {
                problems[role] = .notAllowed
            } else if holders[role] == wanted {
                problems[role] = .noChange
            }
        }
        guard problems.isEmpty else { return .failure(Problems(byRole: problems)) }

        var grouped: [PairKey: [Role]] = [:]
        for (role, wanted) in changes {
            grouped[PairKey(from: holders[role], to: wanted), default: []].append(role)
        }
        let planned = grouped.map { pair, roles in
            PlannedChange(roles: roles, from: pair.from, to: pair.to, requester: requester)
        }
        return .success(planned.sorted { $0.roles.first! < $1.roles.first! })
    }

    /// Checks one submission against every rule for a new request (SPEC "Changing contacts"),
    /// role by role, and plans it. The edit page asks this before storing anything, and the
    /// store asks it again inside its transaction with the service as it is then.
    public static func check(
        requester: CustomerID,
        changes: [Role: CustomerID],
        service: ServiceFacts
    ) -> Result<[PlannedChange], Problems> {
        let allowed = changeableRoles(of: requester, holders: service.holders)
        var problems: [Role: Problem] = [:]
        for (role, wanted) in changes {
            problems[role] = problem(asking: role, for: wanted, allowed: allowed, service: service)
        }
        guard problems.isEmpty else { return .failure(Problems(byRole: problems)) }
        return plan(requester: requester, holders: service.holders, changes: changes)
    }

    /// What stands in the way of moving `role` to `wanted` on one service, if anything; the one
    /// check behind the edit page's submission and each service of a bulk change.
    /// `allowed` is ``changeableRoles(of:holders:)`` for the requester.
    public static func problem(asking role: Role, for wanted: CustomerID, allowed: Set<Role>, service: ServiceFacts) -> Problem? {
        if service.accounts[wanted] == nil {
            return .unknownAccount
        } else if let open = service.openRequests[role] {
            return .openRequest(id: open)
        } else if !allowed.contains(role) {
            return .notAllowed
        } else if service.holders[role] == wanted {
            return .noChange
        } else if role == .billing, let old = service.accounts[service.holders.billing], let new = service.accounts[wanted] {
            let blockers = PaymentRule.blockers(oldBilling: old, newBilling: new)
            if !blockers.isEmpty { return .paymentBlocked(blockers) }
        }
        return nil
    }

    /// Every rule checked again when a change would take effect (SPEC "Requests"): the roles
    /// are still the from-account's, the asker may still ask for this change, and for billing
    /// both accounts are up to date with payments. `holders` is nil for a service that is gone.
    public static func takeEffectFailure(
        roles: [Role], from: CustomerID, to: CustomerID, requester: CustomerID,
        holders: RoleHolders?, accounts: [CustomerID: Account]
    ) -> RequestFailure? {
        guard let holders, roles.allSatisfy({ holders[$0] == from }) else {
            return .holdersChanged
        }
        let askable = changeableRoles(of: requester, holders: holders)
        guard roles.allSatisfy(askable.contains) else { return .holdersChanged }
        if roles.contains(.billing) {
            guard let old = accounts[from], let new = accounts[to],
                  PaymentRule.blockers(oldBilling: old, newBilling: new).isEmpty
            else { return .paymentOverdue }
        }
        return nil
    }

    private struct PairKey: Hashable {
        let from: CustomerID
        let to: CustomerID
    }
}

/// Billing contacts must be up to date with payments, the old one and the new one alike.
public enum PaymentRule {
    /// The accounts that stand in the way of moving the billing role from `old` to `new`, in that order.
    public static func blockers(oldBilling old: Account, newBilling new: Account) -> [Account] {
        [old, new].filter { $0.paymentStatus != .upToDate }.reduce(into: []) { result, account in
            if !result.contains(where: { $0.id == account.id }) { result.append(account) }
        }
    }
}
